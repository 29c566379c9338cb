package dev.tern.core.guest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One vCPU's live {@link VcpuProgress}. The vCPU thread owns it and publishes each step with a
 * release store; other threads read it with acquire loads. While the vCPU is parked, a
 * controller may replace it (an incoming device section): the parking lock orders that store
 * before the vCPU's next read.
 */
final class VcpuCursor {
    private static final VarHandle POSITION;
    private static final VarHandle PASSES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            POSITION = lookup.findVarHandle(VcpuCursor.class, "position", long.class);
            PASSES = lookup.findVarHandle(VcpuCursor.class, "passes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long position;
    private long passes;

    VcpuCursor(long position) {
        POSITION.setRelease(this, position);
    }

    /** The vCPU's own read: plain, it wrote the value itself (or was parked when it changed). */
    long position() {
        return (long) POSITION.get(this);
    }

    long passes() {
        return (long) PASSES.get(this);
    }

    void positionRelease(long value) {
        POSITION.setRelease(this, value);
    }

    void passesRelease(long value) {
        PASSES.setRelease(this, value);
    }

    /** Another thread's read. */
    VcpuProgress progressAcquire() {
        long passesNow = (long) PASSES.getAcquire(this);
        return new VcpuProgress((long) POSITION.getAcquire(this), passesNow);
    }
}
