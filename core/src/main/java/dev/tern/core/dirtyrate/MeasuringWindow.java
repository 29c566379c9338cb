package dev.tern.core.dirtyrate;

import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;

/**
 * QEMU's {@code dirty_stat_wait}: sleeps until {@code msec} milliseconds have passed since
 * {@code initialMillis}; a window that has already overrun is measured as the real elapsed
 * time, so the reported period is max(requested, elapsed).
 */
final class MeasuringWindow {
    /** Returned when the wait was cut short by the stop latch. */
    static final long STOPPED = -1;

    private MeasuringWindow() {
    }

    /**
     * Waits out the window.
     *
     * @param clock the clock the window is measured on
     * @param pause how to sleep
     * @param msec the requested window in milliseconds
     * @param initialMillis the clock reading when the window opened
     * @param stop ends the wait early
     * @return the window's length in milliseconds, or {@link #STOPPED}
     * @throws InterruptedException if the thread was interrupted
     */
    static long await(InstantSource clock, Pause pause, long msec, long initialMillis, CountDownLatch stop)
            throws InterruptedException {
        long elapsed = clock.millis() - initialMillis;
        if (elapsed >= msec) {
            return elapsed;
        }
        return pause.await(msec - elapsed, stop) ? STOPPED : msec;
    }
}
