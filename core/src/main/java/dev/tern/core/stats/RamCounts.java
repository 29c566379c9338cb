package dev.tern.core.stats;

/**
 * The RAM counters of one {@link MigrationCounters#snapshot()} (spec §4.2). {@code remaining} and
 * {@code total} are not here: QEMU computes them from the dirty bitmap and the RAM block list at
 * query time, so {@link SourceView} carries them. {@code skipped} (always 0) and
 * {@code normal-bytes} (normal × page size) are derived by {@link QueryMigrateAssembler}.
 *
 * @param transferred {@code transferred}: RAM bytes put on the channels
 * @param duplicate {@code duplicate}: pages sent as zero pages
 * @param normal {@code normal}: pages sent as full pages
 * @param dirtyPagesRate {@code dirty-pages-rate}: pages dirtied per second in the last period
 * @param mbps {@code mbps}: throughput of the last window (or of the whole migration once complete)
 * @param dirtySyncCount {@code dirty-sync-count}: dirty-bitmap synchronisations so far
 * @param postcopyRequests {@code postcopy-requests}: page requests received on the return path
 * @param pageSize {@code page-size}: the target page size
 * @param multifdBytes {@code multifd-bytes}: bytes dispatched to multifd channels (unsigned)
 * @param pagesPerSecond {@code pages-per-second}: pages sent per second in the last window (unsigned)
 * @param precopyBytes {@code precopy-bytes} (unsigned)
 * @param downtimeBytes {@code downtime-bytes} (unsigned)
 * @param postcopyBytes {@code postcopy-bytes} (unsigned)
 * @param dirtySyncMissedZeroCopy {@code dirty-sync-missed-zero-copy} (unsigned)
 */
public record RamCounts(
        long transferred,
        long duplicate,
        long normal,
        long dirtyPagesRate,
        double mbps,
        long dirtySyncCount,
        long postcopyRequests,
        long pageSize,
        long multifdBytes,
        long pagesPerSecond,
        long precopyBytes,
        long downtimeBytes,
        long postcopyBytes,
        long dirtySyncMissedZeroCopy) {

    /**
     * {@code normal-bytes}: QEMU reports {@code normal × page size}, not measured bytes.
     *
     * @return the product
     */
    public long normalBytes() {
        return normal * pageSize;
    }
}
