package dev.tern.kvm;

/** Where a {@link KvmVcpu} is in its life. */
public enum VcpuRunState {
    /** Created, its thread not started yet. */
    CREATED,
    /** Its thread runs the guest (or is about to, or sleeps for the throttle). */
    RUNNING,
    /** Paused: out of {@code KVM_RUN}, its thread parked until resumed. */
    PAUSED,
    /** The guest executed {@code hlt}; the thread has ended. */
    HALTED,
    /** The run loop stopped on an error; {@link KvmVcpu#failure()} says which. The thread has ended. */
    FAILED,
    /** Closed: the thread has ended and the descriptor is released. */
    CLOSED
}
