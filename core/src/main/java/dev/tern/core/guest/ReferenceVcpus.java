package dev.tern.core.guest;

import dev.tern.api.guest.VcpuControl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The reference guest's vCPUs: one platform daemon thread per vCPU, named
 * {@code tern-vcpu-N}, each running the guest's workload. The threads are created by the first
 * {@link #resume()} (or {@link ReferenceGuest#start()}); until then the guest is paused, as a
 * QEMU destination waiting for an incoming migration is.
 *
 * <p>{@link #pause()} is the switchover stop: when it returns, every vCPU thread is parked
 * between two guest writes, so guest RAM no longer changes and every write made so far is
 * visible to the caller. {@link #setThrottle} applies QEMU's CPU throttle (spec 6.3) for
 * {@code auto-converge}: after each {@value #SLICE_NANOS} ns of running, a vCPU sleeps
 * {@link #sleepPerSliceNanos(int)}.
 *
 * <p>Thread-safe. None of the methods may be called from a vCPU thread.
 */
public final class ReferenceVcpus implements VcpuControl {
    /** The throttle time slice: QEMU's {@code CPU_THROTTLE_TIMESLICE_NS}, 10 ms. */
    public static final long SLICE_NANOS = 10_000_000L;

    /** QEMU's {@code CPU_THROTTLE_PCT_MAX}: the setter clamps to it. */
    static final int MAX_THROTTLE_PERCENT = 99;

    private final VcpuGate gate = new VcpuGate();
    private final int count;
    private final IntFunction<Runnable> bodies;
    private final List<Thread> threads = new ArrayList<>();
    private volatile int throttlePercent;
    private boolean closed;

    /**
     * Creates the control; no thread runs yet.
     *
     * @param count the number of vCPUs
     * @param bodies what vCPU {@code i} runs, given its index
     */
    ReferenceVcpus(int count, IntFunction<Runnable> bodies) {
        this.count = count;
        this.bodies = bodies;
    }

    /**
     * How long a vCPU sleeps after each {@value #SLICE_NANOS} ns time slice of running, at a
     * throttle percentage: QEMU's {@code cpu_throttle_thread} arithmetic,
     * {@code (long) (pct / (1 - pct) * 10 ms + 1)} in double precision, the {@code + 1} guarding
     * against a ratio like {@code 0.9999999}. Over a period the vCPU then sleeps {@code pct} of
     * the time: 20% sleeps 2.5 ms per 12.5 ms, 50% 10 of 20 ms, 99% 990 of 1000 ms.
     *
     * @param percent the throttle, 0 to 99
     * @return the sleep in nanoseconds; 0 when {@code percent} is 0
     * @throws IllegalArgumentException if {@code percent} is outside 0..99
     */
    public static long sleepPerSliceNanos(int percent) {
        if (percent < 0 || percent > MAX_THROTTLE_PERCENT) {
            throw new IllegalArgumentException("throttle percentage " + percent + " is outside 0 to 99");
        }
        if (percent == 0) {
            return 0;
        }
        double pct = percent / 100.0;
        double throttleRatio = pct / (1 - pct);
        return (long) (throttleRatio * SLICE_NANOS + 1);
    }

    @Override
    public int vcpuCount() {
        return count;
    }

    /**
     * Stops every vCPU and returns once each vCPU thread is parked and no guest write is in
     * flight; guest RAM is stable from then until {@link #resume()}. Idempotent; returns at once
     * if the vCPUs were never started.
     */
    @Override
    public void pause() {
        gate.pause();
    }

    /**
     * Lets every vCPU run; the first call creates the vCPU threads. Idempotent.
     *
     * @throws IllegalStateException if the guest is closed
     */
    @Override
    public void resume() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the reference guest is closed");
            }
            if (threads.isEmpty()) {
                for (int i = 0; i < count; i++) {
                    Runnable body = bodies.apply(i);
                    gate.threadStarting();
                    threads.add(Thread.ofPlatform()
                            .name("tern-vcpu-" + i)
                            .daemon(true)
                            .start(() -> {
                                try {
                                    body.run();
                                } finally {
                                    gate.threadExited();
                                }
                            }));
                }
            }
        }
        gate.resume();
    }

    /**
     * Whether the vCPUs run guest code.
     *
     * @return true between {@link #resume()} and {@link #pause()} (or close)
     */
    @Override
    public boolean running() {
        synchronized (this) {
            if (closed || threads.isEmpty()) {
                return false;
            }
        }
        return !gate.paused();
    }

    /**
     * Throttles every vCPU (QEMU's {@code cpu_throttle_set}, spec 6.3): after each
     * {@value #SLICE_NANOS} ns slice of running it sleeps {@link #sleepPerSliceNanos(int)}.
     * A slice already running finishes at the old setting. A sleeping vCPU still stops at once
     * for {@link #pause()}.
     *
     * @param percent 0 to stop throttling; 1 to 99 to throttle; larger values are clamped to 99
     *     as QEMU does
     * @throws IllegalArgumentException if {@code percent} is negative
     */
    @Override
    public void setThrottle(int percent) {
        if (percent < 0) {
            throw new IllegalArgumentException("throttle percentage " + percent + " is negative");
        }
        throttlePercent = Math.min(percent, MAX_THROTTLE_PERCENT);
    }

    /**
     * The current throttle, as {@code query-migrate} reports it in {@code cpu-throttle-percentage}.
     *
     * @return 0 when not throttled, else 1 to 99
     */
    public int throttlePercent() {
        return throttlePercent;
    }

    /**
     * The gate the vCPU threads stop at.
     *
     * @return the gate
     */
    VcpuGate gate() {
        return gate;
    }

    /**
     * Runs an action with every vCPU parked (paused or not), then lets them go on as they were.
     *
     * @param action the action
     * @param <T> its result type
     * @return its result
     */
    <T> T whileStopped(Supplier<T> action) {
        return gate.whileStopped(action);
    }

    /** Ends every vCPU thread and waits for them; later {@link #resume()} calls fail. Idempotent. */
    synchronized void close() {
        closed = true;
        gate.shutdown();
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    // The threads end within one guest write; finish the join, report later.
                    interrupted = true;
                }
            }
        }
        threads.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
