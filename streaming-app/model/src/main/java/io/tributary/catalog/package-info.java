/** Opening the lake's Iceberg catalog (JDBC locally, AWS Glue in AWS, or REST) from one spec. */
package io.tributary.catalog;
