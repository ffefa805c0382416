/**
 * The control table: one DynamoDB table where the streaming job records each mirror table's state
 * once per completed checkpoint, the maintenance and backfill jobs record their reports, and the
 * state machines read what to do and hold their locks. The key design and every attribute are
 * described in docs/control-plane.md; {@link io.tributary.control.ControlTable} names them.
 */
package io.tributary.control;
