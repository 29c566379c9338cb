package dev.tern.kvm;

import dev.tern.api.guest.VcpuControl;
import java.util.List;

/**
 * The guest SPI's {@link VcpuControl} over a KVM guest's vCPUs. The first {@link #resume()}
 * starts the vCPU threads (a migration destination's vCPUs are created but not run until the
 * engine resumes them); {@link #pause()} returns once every vCPU is out of {@code KVM_RUN} and
 * parked; {@link #setThrottle(int)} applies QEMU's 10 ms-slice CPU throttle (spec 6.3) on
 * every vCPU. Thread-safe.
 */
final class KvmVcpuControl implements VcpuControl {
    /** QEMU's {@code CPU_THROTTLE_PCT_MAX}: larger settings are clamped to it. */
    static final int MAX_THROTTLE_PERCENT = 99;

    private final List<KvmVcpu> vcpus;
    // Guarded by this.
    private boolean running;
    private boolean closed;

    KvmVcpuControl(List<KvmVcpu> vcpus) {
        this.vcpus = List.copyOf(vcpus);
    }

    @Override
    public int vcpuCount() {
        return vcpus.size();
    }

    /** Pauses every vCPU, one after the other, each returning once its thread is parked. */
    @Override
    public synchronized void pause() {
        for (KvmVcpu vcpu : vcpus) {
            vcpu.pause();
        }
        running = false;
    }

    /**
     * Lets every vCPU run, starting the threads of those never started.
     *
     * @throws IllegalStateException if the guest is closed
     */
    @Override
    public synchronized void resume() {
        if (closed) {
            throw new IllegalStateException("the KVM guest is closed");
        }
        for (KvmVcpu vcpu : vcpus) {
            vcpu.resume();
            if (vcpu.state() == VcpuRunState.CREATED) {
                vcpu.start();
            }
        }
        running = true;
    }

    @Override
    public synchronized boolean running() {
        return running && !closed;
    }

    /**
     * Throttles every vCPU.
     *
     * @param percent 0 to stop; 1 to 99; larger values are clamped to 99 as QEMU does
     * @throws IllegalArgumentException if {@code percent} is negative
     */
    @Override
    public void setThrottle(int percent) {
        if (percent < 0) {
            throw new IllegalArgumentException("throttle percentage " + percent + " is negative");
        }
        int clamped = Math.min(percent, MAX_THROTTLE_PERCENT);
        for (KvmVcpu vcpu : vcpus) {
            vcpu.setThrottle(clamped);
        }
    }

    /**
     * The throttle in force.
     *
     * @return 0 to 99
     */
    int throttle() {
        return vcpus.getFirst().throttle();
    }

    /** Refuses later resumes; the vCPUs themselves are closed with their VM. */
    synchronized void close() {
        closed = true;
        running = false;
    }
}
