package dev.tern.core.compress;

import dev.tern.core.vm.Uninterruptibly;
import java.util.concurrent.locks.LockSupport;

/**
 * One (de)compression thread with a one-job hand-off: the owner writes the job's fields while
 * the worker is idle, then {@link #assign()}s it; the worker runs {@link #process()} and becomes
 * idle again, which publishes its results to the owner's next {@link #idle()} read. The job
 * fields themselves are plain: the volatile {@code state} orders them.
 *
 * <p>QEMU's {@code CompressParam.done} / {@code DecompressParam.done} with its mutex and
 * condition, as a volatile word and {@link LockSupport} park/unpark: nothing is allocated per
 * page.
 */
abstract class PageWorker implements Runnable {
    private static final int IDLE = 0;
    private static final int ASSIGNED = 1;

    private final Thread thread;
    private final IdleSignal idleSignal;
    /** Written by the owner (IDLE to ASSIGNED) and the worker (ASSIGNED to IDLE). */
    private volatile int state = IDLE;
    private volatile boolean quit;

    /**
     * A worker; {@link #start()} starts its thread.
     *
     * @param name the thread's name
     * @param idleSignal woken whenever this worker becomes idle
     */
    PageWorker(String name, IdleSignal idleSignal) {
        this.idleSignal = idleSignal;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
    }

    final void start() {
        thread.start();
    }

    /**
     * Whether the last job is done (owner thread); its results are visible after a true answer.
     *
     * @return true if idle
     */
    final boolean idle() {
        return state == IDLE;
    }

    /** Hands the job whose fields the owner just wrote to the thread. */
    final void assign() {
        state = ASSIGNED;
        LockSupport.unpark(thread);
    }

    /** Asks the thread to end once its current job (if any) is done; {@link #join()} waits for it. */
    final void stop() {
        quit = true;
        LockSupport.unpark(thread);
    }

    /** Waits until the thread ended. */
    final void join() {
        Uninterruptibly.join(thread);
    }

    @Override
    public final void run() {
        while (true) {
            if (state == ASSIGNED) {
                try {
                    process();
                } finally {
                    // Idle even after an unexpected failure: the owner must never wait forever.
                    state = IDLE;
                    idleSignal.signal();
                }
            } else if (quit) {
                return;
            } else {
                LockSupport.park(this);
            }
        }
    }

    /**
     * Does the job. Failures are recorded in the worker's fields for the owner, not thrown.
     */
    protected abstract void process();
}
