package dev.tern.core.stream;

import java.lang.reflect.Method;

/**
 * Bytes allocated by the current thread, through {@code com.sun.management.ThreadMXBean}. Reached
 * reflectively: the core module (whose tests compile inside it) does not read java.management.
 */
public final class AllocationMeter {
    private static final Object BEAN;
    private static final Method ALLOCATED;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AllocationMeter() {
    }

    /** @return bytes allocated by this thread so far */
    public static long allocatedBytes() {
        try {
            return (Long) ALLOCATED.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a body twice (the first run warms up) and measures the second.
     *
     * @param body the code
     * @return bytes the second run allocated
     */
    public static long measure(Runnable body) {
        body.run();
        long before = allocatedBytes();
        body.run();
        return allocatedBytes() - before;
    }
}
