package io.debezium.connector.postgresql.connection.pgoutput;

import io.tributary.source.postgres.WalTextValue;

/**
 * The value of one column in a {@code pgoutput} change, as Debezium's WAL reader creates it: the
 * job's replacement for Debezium 1.9's class of this name (left out of the deployable jar), with
 * the decoding of {@link WalTextValue}, which also reads {@code numeric} infinities (PostgreSQL 14
 * and later) instead of failing the job on them. Keep the name, package and constructor: Debezium's
 * decoder calls them.
 */
class PgOutputColumnValue extends WalTextValue {
  PgOutputColumnValue(String value) {
    super(value);
  }
}
