package dev.tern.kvm;

/**
 * {@code KVM_CAP_*} numbers from {@code linux/kvm.h} that Tern asks about with
 * {@link Kvm#checkExtension(int)} and {@link KvmVm#checkExtension(int)}.
 */
public final class KvmCapabilities {
    /** {@code KVM_CAP_USER_MEMORY}: memory slots backed by user memory (required). */
    public static final int USER_MEMORY = 3;
    /** {@code KVM_CAP_NR_MEMSLOTS}: returns the number of memory slots per VM. */
    public static final int NR_MEMSLOTS = 10;
    /** {@code KVM_CAP_SYNC_MMU}: changes to host mappings are reflected in the guest. */
    public static final int SYNC_MMU = 16;
    /** {@code KVM_CAP_READONLY_MEM}: read-only memory slots. */
    public static final int READONLY_MEM = 81;
    /** {@code KVM_CAP_CHECK_EXTENSION_VM}: {@code KVM_CHECK_EXTENSION} works on a VM descriptor. */
    public static final int CHECK_EXTENSION_VM = 105;
    /** {@code KVM_CAP_IMMEDIATE_EXIT}: {@code kvm_run.immediate_exit} to kick a vCPU. */
    public static final int IMMEDIATE_EXIT = 136;
    /** {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2}: {@code KVM_CLEAR_DIRTY_LOG}. */
    public static final int MANUAL_DIRTY_LOG_PROTECT2 = 168;
    /** {@code KVM_CAP_DIRTY_LOG_RING}: per-vCPU dirty rings; returns the maximum ring size in bytes. */
    public static final int DIRTY_LOG_RING = 192;
    /** {@code KVM_CAP_DIRTY_LOG_RING_ACQ_REL}: dirty rings with acquire/release ordering. */
    public static final int DIRTY_LOG_RING_ACQ_REL = 223;

    private KvmCapabilities() {
    }
}
