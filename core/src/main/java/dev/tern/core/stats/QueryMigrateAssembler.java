package dev.tern.core.stats;

import dev.tern.api.MigrationStatus;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import java.util.List;
import java.util.Objects;

/**
 * Builds {@code query-migrate}'s {@code MigrationInfo} exactly as QEMU 7.2's
 * {@code qmp_query_migrate} does (spec §1.6): destination part first, then the source part,
 * whose {@code status} overrides the destination's unless the source is {@code none}.
 *
 * <p>Source members by source status:
 * <table>
 *   <caption>members reported per source status</caption>
 *   <tr><th>status</th><th>members</th></tr>
 *   <tr><td>none</td><td>nothing</td></tr>
 *   <tr><td>setup, cancelled, wait-unplug, colo</td><td>{@code status}</td></tr>
 *   <tr><td>active, cancelling, pre-switchover, device, postcopy-active, postcopy-paused,
 *       postcopy-recover</td><td>{@code status}, {@code setup-time}, {@code total-time} (now − start),
 *       {@code expected-downtime}, {@code ram}, {@code xbzrle-cache}/{@code compression} if their
 *       capability is on, {@code cpu-throttle-percentage} if ≠ 0, {@code disk} if block migration
 *       is active, {@code vfio} if VFIO devices migrate</td></tr>
 *   <tr><td>completed</td><td>as above but {@code total-time} frozen, {@code downtime} instead of
 *       {@code expected-downtime}, no {@code disk}, {@code ram.remaining} and
 *       {@code ram.dirty-pages-rate} 0</td></tr>
 *   <tr><td>failed</td><td>{@code status}, {@code error-desc} if an error was recorded</td></tr>
 * </table>
 * {@code blocked-reasons} is reported whenever the list is non-empty, whatever the status.
 */
public final class QueryMigrateAssembler {
    private QueryMigrateAssembler() {
    }

    /**
     * Assembles the reply of {@code query-migrate}.
     *
     * @param src the outgoing side
     * @param dst the incoming side
     * @param blockedReasons "non-migratable device: &lt;idstr&gt;" entries and the registered
     *     blockers' texts, already in QEMU's order; reported iff non-empty
     * @return the reply
     * @throws NullPointerException if an argument is null
     */
    public static MigrationInfo assemble(SourceView src, DestinationView dst, List<String> blockedReasons) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(blockedReasons, "blockedReasons");
        MigrationInfo.Builder info = MigrationInfo.builder();
        fillDestination(info, dst);
        fillSource(info, src, blockedReasons);
        return info.build();
    }

    /** QEMU's {@code fill_destination_migration_info}. */
    private static void fillDestination(MigrationInfo.Builder info, DestinationView dst) {
        // Reported whenever a socket listener exists, whatever the state.
        if (!dst.socketAddresses().isEmpty()) {
            info.socketAddress(dst.socketAddresses());
        }
        if (dst.status() == MigrationStatus.NONE) {
            return;
        }
        info.status(dst.status());
        if (dst.status() == MigrationStatus.COMPLETED && dst.postcopyBlocktime().isPresent()) {
            info.postcopyBlocktime(dst.postcopyBlocktime().getAsLong());
            info.postcopyVcpuBlocktime(dst.postcopyVcpuBlocktime());
        }
    }

    /** QEMU's {@code fill_source_migration_info}. */
    private static void fillSource(MigrationInfo.Builder info, SourceView src, List<String> blockedReasons) {
        if (!blockedReasons.isEmpty()) {
            info.blockedReasons(blockedReasons);
        }
        MigrationStatus status = src.status();
        switch (status) {
            // No outgoing migration: keep whatever the destination reported, plus (Tern's
            // addition) the reason an incoming one failed, which a QEMU destination exits with.
            case NONE -> src.errorDesc().ifPresent(info::errorDesc);
            case SETUP, CANCELLED, WAIT_UNPLUG, COLO -> info.status(status);
            case FAILED -> {
                info.status(status);
                src.errorDesc().ifPresent(info::errorDesc);
            }
            case ACTIVE, CANCELLING, POSTCOPY_ACTIVE, PRE_SWITCHOVER, DEVICE, POSTCOPY_PAUSED, POSTCOPY_RECOVER -> {
                info.status(status);
                populateTime(info, src, false);
                populateRam(info, src, false);
                src.disk().ifPresent(d -> info.disk(d.toStats()));
                src.vfio().ifPresent(info::vfio);
            }
            case COMPLETED -> {
                info.status(status);
                populateTime(info, src, true);
                populateRam(info, src, true);
                src.vfio().ifPresent(info::vfio);
            }
        }
    }

    /** QEMU's {@code populate_time_info}. */
    private static void populateTime(MigrationInfo.Builder info, SourceView src, boolean completed) {
        Timings t = src.counters().timings();
        info.setupTime(t.setupTime());
        if (completed) {
            info.totalTime(t.totalTime());
            info.downtime(t.downtime());
        } else {
            info.totalTime(t.elapsed());
            info.expectedDowntime(t.expectedDowntime());
        }
    }

    /** QEMU's {@code populate_ram_info}. */
    private static void populateRam(MigrationInfo.Builder info, SourceView src, boolean completed) {
        CountersSnapshot c = src.counters();
        RamCounts r = c.ram();
        // remaining and dirty-pages-rate are simply not filled in completed, so they read 0.
        long remaining = completed ? 0 : src.remainingBytes();
        long dirtyPagesRate = completed ? 0 : r.dirtyPagesRate();
        info.ram(new MigrationStats(
                r.transferred(), remaining, src.totalBytes(), r.duplicate(),
                0, // skipped: legacy, always 0
                r.normal(), r.normalBytes(), dirtyPagesRate, r.mbps(), r.dirtySyncCount(),
                r.postcopyRequests(), r.pageSize(), r.multifdBytes(), r.pagesPerSecond(),
                r.precopyBytes(), r.downtimeBytes(), r.postcopyBytes(), r.dirtySyncMissedZeroCopy()));
        if (src.xbzrleOn()) {
            info.xbzrleCache(c.xbzrle().toStats(src.xbzrleCacheSize()));
        }
        if (src.compressOn()) {
            info.compression(c.compression());
        }
        if (c.cpuThrottlePercentage() != 0) {
            info.cpuThrottlePercentage(c.cpuThrottlePercentage());
        }
    }
}
