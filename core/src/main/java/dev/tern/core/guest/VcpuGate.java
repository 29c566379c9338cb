package dev.tern.core.guest;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Where the vCPU threads stop. A vCPU looks at {@link #mustPark()} (one volatile read) between
 * any two guest writes and parks when it is set; it also counts as parked while it rests (idle,
 * rate-limited or throttled), because then it runs no guest code either. A controller that
 * closes the gate waits until every vCPU thread is parked: from then on no write is in flight and
 * all of them are visible to the controller (each vCPU took the lock after its last write).
 *
 * <p>The gate is closed while the guest is paused by {@code VcpuControl}, while an internal
 * stop-the-world action runs ({@link #whileStopped}, which does not disturb the paused state),
 * and for good once the guest shuts down.
 *
 * <p>Not for use by the vCPU threads themselves except through {@link #park()},
 * {@link #rest(long)} and {@link #threadExited()}: a vCPU that paused the guest would wait for
 * itself.
 */
final class VcpuGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** paused || stopRequests > 0 || shutdown; written under the lock, read by vCPUs without it. */
    private volatile boolean closed = true;
    private boolean paused = true;
    private int stopRequests;
    private boolean shutdown;
    private int threads;
    private int parked;

    /**
     * vCPU side, between two writes: whether to call {@link #park()} now.
     *
     * @return true if the vCPU must stop
     */
    boolean mustPark() {
        return closed;
    }

    /**
     * vCPU side: parks until the gate opens.
     *
     * @return false if the guest shuts down and the vCPU must end
     */
    boolean park() {
        lock.lock();
        try {
            parked++;
            changed.signalAll();
            while (closed && !shutdown) {
                changed.awaitUninterruptibly();
            }
            parked--;
            return !shutdown;
        } finally {
            lock.unlock();
        }
    }

    /**
     * vCPU side: runs no guest code for {@code nanos}. If the gate closes meanwhile the vCPU
     * stays parked until it opens and then the rest ends early, as QEMU's throttle sleep ends
     * when the vCPU is stopped.
     *
     * @param nanos how long to rest
     * @return false if the guest shuts down (or the thread is interrupted) and the vCPU must end
     */
    boolean rest(long nanos) {
        lock.lock();
        try {
            parked++;
            changed.signalAll();
            try {
                long deadline = System.nanoTime() + nanos;
                boolean stopped = false;
                while (!shutdown) {
                    if (closed) {
                        stopped = true;
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (stopped || left <= 0) {
                        return true;
                    }
                    changed.awaitNanos(left);
                }
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                parked--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** vCPU side: the thread ends, for whatever reason; a controller waiting for it must not hang. */
    void threadExited() {
        lock.lock();
        try {
            threads--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Controller side: a new vCPU thread is about to start; it parks at once if the gate is closed. */
    void threadStarting() {
        lock.lock();
        try {
            threads++;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the gate for the user's pause and waits until every vCPU thread is parked. */
    void pause() {
        lock.lock();
        try {
            paused = true;
            refresh();
            awaitAllParked();
        } finally {
            lock.unlock();
        }
    }

    /** Lifts the user's pause; the gate opens unless a stop-the-world action or shutdown holds it. */
    void resume() {
        lock.lock();
        try {
            paused = false;
            refresh();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the user's pause is in effect.
     *
     * @return true if paused (also before the first resume)
     */
    boolean paused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs an action with every vCPU parked, then lets them continue as they were (paused
     * vCPUs stay paused).
     *
     * @param action the action
     * @param <T> its result type
     * @return its result
     */
    <T> T whileStopped(Supplier<T> action) {
        lock.lock();
        try {
            stopRequests++;
            refresh();
            try {
                awaitAllParked();
                return action.get();
            } finally {
                stopRequests--;
                refresh();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the gate for good and wakes every vCPU so that it ends. */
    void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            refresh();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void refresh() {
        closed = paused || stopRequests > 0 || shutdown;
    }

    private void awaitAllParked() {
        while (parked < threads) {
            changed.awaitUninterruptibly();
        }
    }
}
