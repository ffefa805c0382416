/**
 * Dead letters: changes that could not be written to their mirror table, kept as JSON lines under
 * {@code <warehouse>/_dead_letters/<schema.table>/}, with the reason, the source position and the
 * raw values. Files become visible when the checkpoint that holds their changes completes.
 */
package io.tributary.deadletter;
