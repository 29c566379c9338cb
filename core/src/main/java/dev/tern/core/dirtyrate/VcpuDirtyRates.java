package dev.tern.core.dirtyrate;

import dev.tern.api.guest.DirtyRing;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;

/**
 * QEMU's {@code vcpu_calculate_dirtyrate}: per-vCPU dirty rates from the growth of each ring's
 * reaped-page counter over a window. Both {@code calc-dirty-rate} in dirty-ring mode and the
 * dirty-limit service measure this way.
 */
final class VcpuDirtyRates {
    /** Target page size: every ring entry and every bitmap bit is one 4 KiB page. */
    static final long TARGET_PAGE_SIZE = 4096;

    private VcpuDirtyRates() {
    }

    /**
     * QEMU's {@code do_calculate_dirtyrate}: {@code ((pages × TPS) >> 20) × 1000 / ms}, in
     * unsigned 64-bit arithmetic. The page count is truncated to whole MB before it is scaled,
     * so fewer than 256 dirty pages count as nothing.
     *
     * @param dirtyPages pages dirtied in the window (unsigned)
     * @param durationMs the window in milliseconds, positive
     * @return MB/s
     */
    static long rate(long dirtyPages, long durationMs) {
        long megabytes = (dirtyPages * TARGET_PAGE_SIZE) >>> 20;
        return Long.divideUnsigned(megabytes * 1000, durationMs);
    }

    /**
     * Measures every vCPU over one window.
     *
     * @param ring the rings
     * @param vcpus the number of vCPUs
     * @param clock the clock the window is measured on
     * @param pause how to sleep
     * @param windowMs the requested window
     * @param stop ends the window early
     * @return the rates, or null if stopped
     * @throws InterruptedException if the thread was interrupted
     */
    static Sample measure(DirtyRing ring, int vcpus, InstantSource clock, Pause pause, long windowMs,
            CountDownLatch stop) throws InterruptedException {
        long initial = clock.millis();
        long[] startPages = new long[vcpus];
        for (int i = 0; i < vcpus; i++) {
            startPages[i] = ring.pagesReaped(i);
        }
        long duration = MeasuringWindow.await(clock, pause, windowMs, initial, stop);
        if (duration == MeasuringWindow.STOPPED) {
            return null;
        }
        long[] rates = new long[vcpus];
        for (int i = 0; i < vcpus; i++) {
            rates[i] = rate(ring.pagesReaped(i) - startPages[i], duration);
        }
        return new Sample(rates, duration);
    }

    /** One window's result: MB/s per vCPU index, and the window's length. */
    static final class Sample {
        private final long[] rates;
        private final long durationMs;

        Sample(long[] rates, long durationMs) {
            this.rates = rates;
            this.durationMs = durationMs;
        }

        int vcpus() {
            return rates.length;
        }

        long rate(int vcpu) {
            return rates[vcpu];
        }

        long durationMs() {
            return durationMs;
        }
    }
}
