/**
 * What the Glue jobs share: Glue-style {@code --KEY value} argument parsing with Glue's own
 * arguments tolerated, the lake settings (the streaming job's catalog definition built from
 * arguments or its YAML file), and the Spark session with the {@code lake} Iceberg catalog.
 */
package io.tributary.glue;
