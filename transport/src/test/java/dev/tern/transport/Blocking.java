package dev.tern.transport;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** Waiting until a thread is blocked in a system call, so a test unblocks a thread that is really stuck. */
final class Blocking {

    private Blocking() {
    }

    /**
     * Waits until {@code thread} sits in a native method with {@code progress} unchanged
     * between two looks: blocked in a read, write, accept or select.
     */
    static void awaitBlocked(Thread thread, LongSupplier progress) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long seen = Long.MIN_VALUE;
        int stableLooks = 0;
        while (System.nanoTime() < deadline) {
            if (!thread.isAlive()) {
                fail(thread.getName() + " ended instead of blocking");
            }
            long now = progress.getAsLong();
            if (inNative(thread) && now == seen) {
                if (++stableLooks >= 3) {
                    return;
                }
            } else {
                stableLooks = 0;
            }
            seen = now;
            LockSupport.parkNanos(20_000_000L);
        }
        fail(thread.getName() + " never blocked");
    }

    static void awaitBlocked(Thread thread) {
        awaitBlocked(thread, () -> 0);
    }

    private static boolean inNative(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod();
    }
}
