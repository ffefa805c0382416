/**
 * What every source shares: the seam the job builds a source through ({@link
 * io.tributary.source.ChangeSource}), the tables a source's preflight check accepted ({@link
 * io.tributary.source.CapturedTable}), the refusal of a source that cannot be captured ({@link
 * io.tributary.source.SourceNotReadyException}) and the binlog position as one number ({@link
 * io.tributary.source.BinlogPosition}). Each database has its own package beside this one: {@code
 * io.tributary.source.postgres} for PostgreSQL, {@code io.tributary.source.mysql} for MySQL and
 * MariaDB.
 */
package io.tributary.source;
