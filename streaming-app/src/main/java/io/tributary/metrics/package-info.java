/**
 * The job's metrics: per table changes per second, lag, time since the last commit, snapshot
 * progress, blocked state and freshness target; job-wide the replication slot's lag. Registered
 * under the metric group {@code kinesisanalytics} so that Managed Service for Apache Flink
 * publishes them to CloudWatch, with the names in {@link io.tributary.metrics.MetricNames}.
 */
package io.tributary.metrics;
