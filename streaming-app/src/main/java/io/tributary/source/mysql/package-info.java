/**
 * MySQL and MariaDB as a source: the preflight check ({@link
 * io.tributary.source.mysql.MySqlPreflight}) and the capture with Flink CDC's MySQL incremental
 * source ({@link io.tributary.source.mysql.MySqlChangeSource}). What is built and what is not is
 * listed in docs/mysql.md.
 */
package io.tributary.source.mysql;
