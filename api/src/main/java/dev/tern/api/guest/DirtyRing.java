package dev.tern.api.guest;

/**
 * Per-vCPU dirty rings (KVM_CAP_DIRTY_LOG_RING): what dirty-rate measurement in
 * {@code dirty-ring} mode and the vCPU dirty limit need.
 */
public interface DirtyRing {
    /**
     * Entries per vCPU ring.
     *
     * @return for example 4096
     */
    int ringEntries();

    /**
     * How many dirty pages have been reaped from a vCPU's ring since the guest started.
     *
     * @param vcpu the vCPU index
     * @return a cumulative, monotonic count
     */
    long pagesReaped(int vcpu);

    /**
     * Sets how long a vCPU sleeps each time its ring fills (the dirty-limit control acts through
     * this); 0 removes the sleep.
     *
     * @param vcpu the vCPU index
     * @param micros the sleep in microseconds
     */
    void setRingFullSleep(int vcpu, long micros);
}
