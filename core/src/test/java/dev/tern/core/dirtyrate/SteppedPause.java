package dev.tern.core.dirtyrate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A measuring window the test opens and closes: {@link #awaitEntered()} returns once a
 * measurement thread is inside its window (so everything before it has happened), {@link #tick()}
 * ends that window. The waits are bounded only to turn a hang into a failure.
 */
final class SteppedPause implements Pause {
    private final Semaphore entered = new Semaphore(0);
    private final Semaphore ticks = new Semaphore(0);
    private volatile Runnable duringWindow = () -> { };

    /** Runs {@code action} on the measurement thread inside every window, before it waits. */
    SteppedPause during(Runnable action) {
        duringWindow = action;
        return this;
    }

    @Override
    public boolean await(long millis, CountDownLatch stop) throws InterruptedException {
        duringWindow.run();
        entered.release();
        while (!ticks.tryAcquire(1, TimeUnit.MILLISECONDS)) {
            if (stop.getCount() == 0) {
                return true;
            }
        }
        return false;
    }

    void awaitEntered() throws InterruptedException {
        assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS), "no measurement entered its window");
    }

    void tick() {
        ticks.release();
    }
}
