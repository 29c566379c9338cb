package dev.tern.core.compress;

import java.util.concurrent.locks.LockSupport;

/**
 * How the one thread that hands out pages (the migration thread, or the incoming loader) waits
 * for any of its workers to become idle: QEMU's {@code comp_done_cond} / {@code decomp_done_cond},
 * without a lock and without allocating.
 *
 * <p>The waiter publishes itself before it re-checks the workers, and a worker marks itself
 * idle before it reads the waiter; both are volatile, so one of them sees the other and no
 * wake-up is lost. A wake-up that finds nothing to do just loops (as a spurious one does).
 */
final class IdleSignal {
    private volatile Thread waiter;

    /** Called by a worker after it became idle. */
    void signal() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** The waiting thread announces itself; call before checking the condition. */
    void enter() {
        waiter = Thread.currentThread();
    }

    /**
     * Parks until a worker signals (or spuriously).
     *
     * @throws IllegalStateException if the thread is interrupted: nothing in Tern interrupts
     *     these threads, and parking again would spin
     */
    void park() {
        LockSupport.park(this);
        if (Thread.currentThread().isInterrupted()) {
            waiter = null;
            throw new IllegalStateException(Thread.currentThread().getName() + " interrupted while waiting for a "
                    + "(de)compression thread");
        }
    }

    /** The waiting thread is done waiting. */
    void leave() {
        waiter = null;
    }
}
