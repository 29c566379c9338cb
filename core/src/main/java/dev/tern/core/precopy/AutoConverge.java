package dev.tern.core.precopy;

/**
 * QEMU's auto-converge decision (spec 6.1 and 6.2: {@code migration_trigger_throttle},
 * {@code mig_throttle_guest_down}): at each closed sync period whose dirtied bytes exceed
 * {@code throttle-trigger-threshold} percent of the bytes transferred, a counter grows; every
 * second such period throttles the vCPUs one step. The counter is never reset by a good period.
 */
final class AutoConverge {
    private int exceedingPeriods;
    private int throttle;

    /**
     * Evaluates a closed period.
     *
     * @param period the period
     * @param pageSize the target page size
     * @param triggerThresholdPercent {@code throttle-trigger-threshold}
     * @param initial {@code cpu-throttle-initial}
     * @param increment {@code cpu-throttle-increment}
     * @param max {@code max-cpu-throttle}
     * @param tailslow {@code cpu-throttle-tailslow}
     * @return the new throttle percentage (unchanged if this period did not trigger a step)
     */
    int evaluate(SyncPeriod.Closed period, long pageSize, int triggerThresholdPercent, int initial, int increment,
            int max, boolean tailslow) {
        long dirtyBytes = period.dirtyPages() * pageSize;
        long threshold = period.transferredBytes() * triggerThresholdPercent / 100;
        if (dirtyBytes > threshold && ++exceedingPeriods >= 2) {
            exceedingPeriods = 0;
            throttle = step(throttle, dirtyBytes, threshold, initial, increment, max, tailslow);
        }
        return throttle;
    }

    /**
     * One throttle step: the first is {@code initial}; later ones add {@code increment} (or,
     * with tailslow, the smaller gap to the ideal CPU share), capped at {@code max}; the
     * setter's own clamp to 1..99 applies last.
     */
    static int step(int now, long dirtyBytes, long thresholdBytes, int initial, int increment, int max,
            boolean tailslow) {
        if (now == 0) {
            return clamp(initial);
        }
        long inc = increment;
        if (tailslow) {
            long cpuNow = 100 - now;
            long cpuIdeal = (long) (cpuNow * ((double) thresholdBytes / dirtyBytes));
            // QEMU computes this in unsigned arithmetic: a negative gap wraps to a huge value.
            inc = Long.compareUnsigned(cpuNow - cpuIdeal, increment) < 0 ? cpuNow - cpuIdeal : increment;
        }
        return clamp((int) Math.min(now + inc, max));
    }

    private static int clamp(int pct) {
        return Math.max(1, Math.min(99, pct));
    }

    /**
     * The current throttle.
     *
     * @return 0 when not throttling, else 1..99
     */
    int throttle() {
        return throttle;
    }

    /** Stops throttling (the end of every migration). */
    void stop() {
        throttle = 0;
        exceedingPeriods = 0;
    }
}
