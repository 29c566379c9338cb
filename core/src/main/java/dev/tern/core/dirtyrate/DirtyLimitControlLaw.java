package dev.tern.core.dirtyrate;

/**
 * The dirty-limit throttle adjustment of QEMU 7.2 ({@code softmmu/dirtylimit.c}:
 * {@code dirtylimit_adjust_throttle}, {@code dirtylimit_set_throttle},
 * {@code dirtylimit_dirty_ring_full_time}), as a pure function of one vCPU's state, applied once
 * per second to every limited vCPU (spec §11.6, §16 item 26).
 *
 * <p>Rates are MB/s and compared as unsigned 64-bit numbers, throttles are microseconds of sleep
 * per ring-full exit, as in QEMU. QEMU computes the linear step through a {@code double}
 * division; for the operands that can occur (ring-full time at most ring_MB × 10^6, percentage
 * at most 100) that equals the integer division used here.
 */
final class DirtyLimitControlLaw {
    /** No adjustment while quota and current rate are this close (MB/s). */
    static final long TOLERANCE_MB_S = 25;
    /** Above this relative gap (%) the step is proportional; at or below it, a tenth of the ring-full time. */
    static final long LINEAR_ADJUSTMENT_PCT = 50;
    /** The sleep never exceeds this many ring-full times. */
    static final long THROTTLE_PCT_MAX = 99;

    private DirtyLimitControlLaw() {
    }

    /**
     * One vCPU's throttle after one measurement.
     *
     * @param throttleMicros the vCPU's current sleep per ring-full exit
     * @param maxRateSeen the largest non-zero rate any adjusted vCPU has shown so far (QEMU keeps
     *     it in a function-static variable that is never reset), 0 at first
     */
    record Step(long throttleMicros, long maxRateSeen) {
    }

    /**
     * Computes the next throttle of one limited vCPU.
     *
     * @param quota the vCPU's limit in MB/s, not 0
     * @param current the vCPU's measured rate in MB/s
     * @param throttleMicros the vCPU's current throttle
     * @param maxRateSeen the largest rate seen so far
     * @param ringEntries entries per dirty ring
     * @return the new throttle and largest rate; unchanged when within tolerance
     */
    static Step next(long quota, long current, long throttleMicros, long maxRateSeen, long ringEntries) {
        long min = Long.compareUnsigned(quota, current) <= 0 ? quota : current;
        long max = Long.compareUnsigned(quota, current) <= 0 ? current : quota;
        if (Long.compareUnsigned(max - min, TOLERANCE_MB_S) <= 0) {
            return new Step(throttleMicros, maxRateSeen);
        }
        if (current == 0) {
            return new Step(0, maxRateSeen);
        }
        // The maximum is updated only here, after both early returns, exactly where QEMU's is.
        long maxRate = Long.compareUnsigned(maxRateSeen, current) < 0 ? current : maxRateSeen;
        long ringMegabytes = (ringEntries * VcpuDirtyRates.TARGET_PAGE_SIZE) >>> 20;
        long ringFullMicros = Long.divideUnsigned(ringMegabytes * 1_000_000, maxRate);

        long throttle = throttleMicros;
        boolean overQuota = Long.compareUnsigned(quota, current) < 0;
        if (Long.divideUnsigned((max - min) * 100, max) > LINEAR_ADJUSTMENT_PCT) {
            long sleepPct = overQuota
                    ? Long.divideUnsigned((current - quota) * 100, current)
                    : Long.divideUnsigned((quota - current) * 100, quota);
            long step = Long.divideUnsigned(ringFullMicros * sleepPct, 100 - sleepPct);
            throttle = overQuota ? throttle + step : throttle - step;
        } else {
            throttle = overQuota ? throttle + ringFullMicros / 10 : throttle - ringFullMicros / 10;
        }
        throttle = Math.min(throttle, ringFullMicros * THROTTLE_PCT_MAX);
        throttle = Math.max(throttle, 0);
        return new Step(throttle, maxRate);
    }
}
