/**
 * The Iceberg sink: one writer operator for all tables (keyed by table and key), one committer that
 * commits each table once per checkpoint, exactly once, and the table creation and schema evolution
 * they share. See {@link io.tributary.sink.IcebergCommitterOperator} for the commit protocol.
 */
package io.tributary.sink;
