package dev.tern.api.guest;

/**
 * Control over the guest's virtual CPUs: stopping them for switchover, and throttling them for
 * auto-converge.
 */
public interface VcpuControl {
    /**
     * The number of vCPUs.
     *
     * @return at least 1
     */
    int vcpuCount();

    /** Stops every vCPU; returns once none of them runs guest code. Idempotent. */
    void pause();

    /** Lets every vCPU run again. Idempotent. */
    void resume();

    /**
     * Whether the vCPUs are running.
     *
     * @return true between {@link #resume()} and {@link #pause()}
     */
    boolean running();

    /**
     * Makes each vCPU sleep {@code percent} of its time, in slices of 10 ms of run time (QEMU's
     * CPU throttle: sleep {@code pct / (1 - pct) * 10 ms} after every 10 ms).
     *
     * @param percent 1..99 to throttle, 0 to stop throttling
     */
    void setThrottle(int percent);
}
