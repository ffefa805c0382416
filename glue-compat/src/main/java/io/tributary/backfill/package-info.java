/**
 * The backfill job: restates a mirror table from one consistent snapshot of its source table, read
 * in parallel over JDBC, underneath the running stream (see docs/backfill.md for why it never
 * overwrites a newer change or brings back a deleted row).
 */
package io.tributary.backfill;
