package dev.tern.core.stats;

/**
 * The time fields of one {@link MigrationCounters#snapshot()} (spec §4.5), all in milliseconds.
 *
 * @param elapsed now − start time, taken when the snapshot was made: QEMU's {@code total-time}
 *     while the migration is not {@code completed}
 * @param totalTime the total time frozen at completion (0 until then): {@code total-time} in
 *     {@code completed}
 * @param setupTime {@code setup-time}: from thread start until {@code active}; 0 until then
 * @param downtime {@code downtime}: reported only in {@code completed}
 * @param expectedDowntime {@code expected-downtime}: reported while the migration is running
 */
public record Timings(long elapsed, long totalTime, long setupTime, long downtime, long expectedDowntime) {
}
