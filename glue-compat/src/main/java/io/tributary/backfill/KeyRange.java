package io.tributary.backfill;

import java.io.Serializable;

/**
 * One slice of the source table that one task reads: a SQL condition on the key.
 *
 * @param index the slice's number, from 0
 * @param condition a SQL boolean expression over the source's key columns
 */
public record KeyRange(int index, String condition) implements Serializable {}
