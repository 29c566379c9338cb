package dev.tern.core.stats;

import dev.tern.api.info.CompressionStats;
import java.util.Objects;

/**
 * The values of a {@link MigrationCounters} at one moment, ready for
 * {@link QueryMigrateAssembler}. Like QEMU's {@code query-migrate}, the fields are read one after
 * the other, not atomically as a group.
 *
 * @param ram the RAM counters
 * @param xbzrle the XBZRLE counters (never reset)
 * @param compression the legacy {@code compress} counters, as QAPI's {@code CompressionStats}
 * @param timings the time fields
 * @param cpuThrottlePercentage the current vCPU throttle percentage, 0 when not throttling
 */
public record CountersSnapshot(RamCounts ram, XbzrleCounts xbzrle, CompressionStats compression, Timings timings,
        long cpuThrottlePercentage) {

    /** Checks that no member is null. */
    public CountersSnapshot {
        Objects.requireNonNull(ram, "ram");
        Objects.requireNonNull(xbzrle, "xbzrle");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(timings, "timings");
    }
}
