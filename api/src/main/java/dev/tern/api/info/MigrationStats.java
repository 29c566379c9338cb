package dev.tern.api.info;

import dev.tern.api.Qapi;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Detailed migration status.
 *
 * QAPI struct {@code MigrationStats}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 0.14.
 *
 * @param transferred amount of bytes already transferred to the target VM (QAPI {@code
 * transferred})
 * @param remaining amount of bytes remaining to be transferred to the target VM (QAPI {@code
 * remaining})
 * @param total total amount of bytes involved in the migration process (QAPI {@code total})
 * @param duplicate number of duplicate (zero) pages (since 1.2) (QAPI {@code duplicate})
 * @param skipped number of skipped zero pages (since 1.5) (QAPI {@code skipped})
 * @param normal number of normal pages (since 1.2) (QAPI {@code normal})
 * @param normalBytes number of normal bytes sent (since 1.2) (QAPI {@code normal-bytes})
 * @param dirtyPagesRate number of pages dirtied by second by the guest (since 1.3) (QAPI {@code
 * dirty-pages-rate})
 * @param mbps throughput in megabits/sec. (since 1.6) (QAPI {@code mbps})
 * @param dirtySyncCount number of times that dirty ram was synchronized (since 2.1) (QAPI {@code
 * dirty-sync-count})
 * @param postcopyRequests The number of page requests received from the destination (since 2.7)
 * (QAPI {@code postcopy-requests})
 * @param pageSize The number of bytes per page for the various page-based statistics (since 2.10)
 * (QAPI {@code page-size})
 * @param multifdBytes The number of bytes sent through multifd (since 3.0) (QAPI {@code
 * multifd-bytes}, uint64)
 * @param pagesPerSecond the number of memory pages transferred per second (Since 4.0) (QAPI {@code
 * pages-per-second}, uint64)
 * @param precopyBytes The number of bytes sent in the pre-copy phase (since 7.0). (QAPI {@code
 * precopy-bytes}, uint64)
 * @param downtimeBytes The number of bytes sent while the guest is paused (since 7.0). (QAPI
 * {@code downtime-bytes}, uint64)
 * @param postcopyBytes The number of bytes sent during the post-copy phase (since 7.0). (QAPI
 * {@code postcopy-bytes}, uint64)
 * @param dirtySyncMissedZeroCopy Number of times dirty RAM synchronization could not avoid copying
 * dirty pages. This is between 0 and {@code dirty-sync-count} * {@code multifd-channels}. (since
 * 7.1) (QAPI {@code dirty-sync-missed-zero-copy}, uint64)
 */
public record MigrationStats(
        @Qapi(name = "transferred", type = "int64") long transferred,
        @Qapi(name = "remaining", type = "int64") long remaining,
        @Qapi(name = "total", type = "int64") long total,
        @Qapi(name = "duplicate", type = "int64") long duplicate,
        @Qapi(name = "skipped", type = "int64") long skipped,
        @Qapi(name = "normal", type = "int64") long normal,
        @Qapi(name = "normal-bytes", type = "int64") long normalBytes,
        @Qapi(name = "dirty-pages-rate", type = "int64") long dirtyPagesRate,
        @Qapi(name = "mbps", type = "number") double mbps,
        @Qapi(name = "dirty-sync-count", type = "int64") long dirtySyncCount,
        @Qapi(name = "postcopy-requests", type = "int64") long postcopyRequests,
        @Qapi(name = "page-size", type = "int64") long pageSize,
        @Qapi(name = "multifd-bytes", type = "uint64") long multifdBytes,
        @Qapi(name = "pages-per-second", type = "uint64") long pagesPerSecond,
        @Qapi(name = "precopy-bytes", type = "uint64") long precopyBytes,
        @Qapi(name = "downtime-bytes", type = "uint64") long downtimeBytes,
        @Qapi(name = "postcopy-bytes", type = "uint64") long postcopyBytes,
        @Qapi(name = "dirty-sync-missed-zero-copy", type = "uint64") long dirtySyncMissedZeroCopy) {

}
