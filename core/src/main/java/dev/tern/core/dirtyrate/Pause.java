package dev.tern.core.dirtyrate;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a measurement thread sleeps through its measuring window. The wait ends early when
 * {@code stop} is counted down, so closing never has to interrupt a thread that may be inside
 * a VMM call (an interrupt would close any interruptible channel the VMM is using).
 */
@FunctionalInterface
interface Pause {
    /** Waits on the stop latch itself: the real clock. */
    Pause REAL = (millis, stop) -> stop.await(millis, TimeUnit.MILLISECONDS);

    /**
     * Waits {@code millis} milliseconds, or less if {@code stop} is counted down first.
     *
     * @param millis the wait, at least 0
     * @param stop the latch that ends the wait early
     * @return true if the wait ended because of {@code stop}
     * @throws InterruptedException if the thread was interrupted
     */
    boolean await(long millis, CountDownLatch stop) throws InterruptedException;
}
