package io.tributary.source.debezium;

/** Converts one raw Debezium value (never null) into its Tributary value. */
@FunctionalInterface
interface ValueConverter {
  Object convert(Object raw);
}
