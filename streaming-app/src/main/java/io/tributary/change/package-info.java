/**
 * The change-event model: one {@link io.tributary.change.ChangeEvent} per captured row change,
 * carrying its table's {@link io.tributary.change.SourceTable schema}, and the serializer that
 * moves events between Flink operators. Independent of the source database and of Iceberg.
 */
package io.tributary.change;
