package dev.tern.core.vm;

/**
 * Waiting for an engine thread to end when the caller must not give up early: a close that
 * returned while the thread still ran would leave it behind. The interrupt is kept for the caller.
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /**
     * Joins {@code thread}, retrying when interrupted, and restores the interrupt status.
     *
     * @param thread the thread, or null for nothing to wait for
     */
    public static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
