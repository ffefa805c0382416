/**
 * Capture from PostgreSQL: the preflight check of the source, the Flink CDC sources (snapshot, then
 * the WAL through pgoutput), and the conversion of Debezium records into change events.
 */
package io.tributary.source.postgres;
