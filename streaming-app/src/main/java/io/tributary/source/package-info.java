/**
 * What every source shares: the tables a source's preflight check accepted ({@link
 * io.tributary.source.CapturedTable}) and the refusal of a source that cannot be captured ({@link
 * io.tributary.source.SourceNotReadyException}). Each database has its own package beside this one:
 * {@code io.tributary.source.postgres} for PostgreSQL.
 */
package io.tributary.source;
