/**
 * Typed, immutable configuration of the streaming job, read once at start-up.
 *
 * <p>{@link io.tributary.config.ConfigLoader} reads a YAML file (local runs) or the property groups
 * of Amazon Managed Service for Apache Flink (in AWS) into the same {@link
 * io.tributary.config.TributaryConfig}. Both forms use the same keys, listed with their types and
 * defaults by {@link io.tributary.config.ConfigOptions#all()}. Everything is validated before the
 * job starts: an unknown or misspelled key, a value of the wrong type, or a missing required value
 * is reported as a {@link io.tributary.config.ConfigException} that names the key and says what to
 * change.
 *
 * <p>Passwords are never part of the configuration itself: a {@link io.tributary.config.Secret}
 * only says where the value is found (environment variable, file or AWS Secrets Manager) and is
 * resolved when the job connects.
 */
package io.tributary.config;
