package dev.tern.kvm;

/**
 * The KVM ioctl requests Tern issues, as {@code linux/kvm.h} defines them. Each is checked
 * against the header's value in the unit tests.
 */
final class KvmIoctls {
    /** {@code KVMIO}: the ioctl type byte of every KVM request. */
    static final int KVMIO = 0xAE;

    /** {@code sizeof(struct kvm_regs)} on x86-64: eighteen {@code __u64}. */
    static final long KVM_REGS_SIZE = 18 * 8;
    /** {@code sizeof(__u64)}, the argument of {@code KVM_SET_IDENTITY_MAP_ADDR}. */
    static final long U64_SIZE = 8;
    /** {@code sizeof(struct kvm_enable_cap)}: cap, flags, args[4], pad[64]. */
    static final long KVM_ENABLE_CAP_SIZE = 4 + 4 + 4 * 8 + 64;

    // System ioctls, on the /dev/kvm descriptor.

    /** {@code KVM_GET_API_VERSION}: returns 12. */
    static final IoctlRequest KVM_GET_API_VERSION = IoctlRequest.io("KVM_GET_API_VERSION", KVMIO, 0x00);
    /** {@code KVM_CREATE_VM}: argument the machine type (0), returns a VM descriptor. */
    static final IoctlRequest KVM_CREATE_VM = IoctlRequest.io("KVM_CREATE_VM", KVMIO, 0x01);
    /** {@code KVM_CHECK_EXTENSION}: argument a {@code KVM_CAP_*}, returns 0 or a positive value. */
    static final IoctlRequest KVM_CHECK_EXTENSION = IoctlRequest.io("KVM_CHECK_EXTENSION", KVMIO, 0x03);
    /** {@code KVM_GET_VCPU_MMAP_SIZE}: the size of a vCPU's shared {@code kvm_run} area. */
    static final IoctlRequest KVM_GET_VCPU_MMAP_SIZE = IoctlRequest.io("KVM_GET_VCPU_MMAP_SIZE", KVMIO, 0x04);

    // VM ioctls, on a VM descriptor.

    /** {@code KVM_SET_TSS_ADDR}: argument a guest physical address for the three pages of the real-mode TSS (Intel). */
    static final IoctlRequest KVM_SET_TSS_ADDR = IoctlRequest.io("KVM_SET_TSS_ADDR", KVMIO, 0x47);
    /** {@code KVM_SET_IDENTITY_MAP_ADDR}: a pointer to the guest physical address of the identity page table page (Intel). */
    static final IoctlRequest KVM_SET_IDENTITY_MAP_ADDR =
            IoctlRequest.iow("KVM_SET_IDENTITY_MAP_ADDR", KVMIO, 0x48, U64_SIZE);
    /** {@code KVM_CREATE_VCPU}: argument the vCPU id, returns a vCPU descriptor. */
    static final IoctlRequest KVM_CREATE_VCPU = IoctlRequest.io("KVM_CREATE_VCPU", KVMIO, 0x41);
    /** {@code KVM_GET_DIRTY_LOG}: copies and clears a slot's dirty bitmap. */
    static final IoctlRequest KVM_GET_DIRTY_LOG =
            IoctlRequest.iow("KVM_GET_DIRTY_LOG", KVMIO, 0x42, KvmStructs.DIRTY_LOG.byteSize());
    /** {@code KVM_SET_USER_MEMORY_REGION}: creates, changes or (size 0) deletes a memory slot. */
    static final IoctlRequest KVM_SET_USER_MEMORY_REGION = IoctlRequest.iow("KVM_SET_USER_MEMORY_REGION", KVMIO, 0x46,
            KvmStructs.USERSPACE_MEMORY_REGION.byteSize());
    /** {@code KVM_ENABLE_CAP}: enables a VM or vCPU capability, such as the dirty ring. */
    static final IoctlRequest KVM_ENABLE_CAP = IoctlRequest.iow("KVM_ENABLE_CAP", KVMIO, 0xA3, KVM_ENABLE_CAP_SIZE);
    /** {@code KVM_CLEAR_DIRTY_LOG}: re-protects pages under manual dirty-log protection. */
    static final IoctlRequest KVM_CLEAR_DIRTY_LOG =
            IoctlRequest.iowr("KVM_CLEAR_DIRTY_LOG", KVMIO, 0xC0, KvmStructs.CLEAR_DIRTY_LOG.byteSize());

    // ---- Dirty tracking (dirty ring) ----

    /** {@code KVM_RESET_DIRTY_RINGS}: re-protects the pages of every harvested ring entry; returns how many. */
    static final IoctlRequest KVM_RESET_DIRTY_RINGS = IoctlRequest.io("KVM_RESET_DIRTY_RINGS", KVMIO, 0xC7);

    // ---- end of dirty tracking ----

    // vCPU ioctls, on a vCPU descriptor.

    /** {@code KVM_RUN}: runs the vCPU until an exit. */
    static final IoctlRequest KVM_RUN = IoctlRequest.io("KVM_RUN", KVMIO, 0x80);
    /** {@code KVM_GET_REGS}: reads the general-purpose registers. */
    static final IoctlRequest KVM_GET_REGS = IoctlRequest.ior("KVM_GET_REGS", KVMIO, 0x81, KVM_REGS_SIZE);
    /** {@code KVM_SET_REGS}: writes the general-purpose registers. */
    static final IoctlRequest KVM_SET_REGS = IoctlRequest.iow("KVM_SET_REGS", KVMIO, 0x82, KVM_REGS_SIZE);
    /** {@code KVM_GET_SREGS}: reads the segment, descriptor-table and control registers. */
    static final IoctlRequest KVM_GET_SREGS = IoctlRequest.ior("KVM_GET_SREGS", KVMIO, 0x83, KvmStructs.SREGS.byteSize());
    /** {@code KVM_SET_SREGS}: writes them. */
    static final IoctlRequest KVM_SET_SREGS = IoctlRequest.iow("KVM_SET_SREGS", KVMIO, 0x84, KvmStructs.SREGS.byteSize());
    /** {@code KVM_GET_MSRS}: reads the MSRs named in the entries; returns how many it read. */
    static final IoctlRequest KVM_GET_MSRS = IoctlRequest.iowr("KVM_GET_MSRS", KVMIO, 0x88, KvmStructs.MSRS.byteSize());
    /** {@code KVM_SET_MSRS}: writes the entries' MSRs; returns how many it wrote. */
    static final IoctlRequest KVM_SET_MSRS = IoctlRequest.iow("KVM_SET_MSRS", KVMIO, 0x89, KvmStructs.MSRS.byteSize());
    /** {@code KVM_GET_VCPU_EVENTS}: reads pending and injected exceptions, interrupts and NMIs. */
    static final IoctlRequest KVM_GET_VCPU_EVENTS =
            IoctlRequest.ior("KVM_GET_VCPU_EVENTS", KVMIO, 0x9F, KvmStructs.VCPU_EVENTS.byteSize());
    /** {@code KVM_SET_VCPU_EVENTS}: writes the parts {@code flags} marks valid. */
    static final IoctlRequest KVM_SET_VCPU_EVENTS =
            IoctlRequest.iow("KVM_SET_VCPU_EVENTS", KVMIO, 0xA0, KvmStructs.VCPU_EVENTS.byteSize());
    /** {@code KVM_GET_FPU}: reads the x87 and SSE state. */
    static final IoctlRequest KVM_GET_FPU = IoctlRequest.ior("KVM_GET_FPU", KVMIO, 0x8C, KvmStructs.FPU.byteSize());
    /** {@code KVM_SET_FPU}: writes it. */
    static final IoctlRequest KVM_SET_FPU = IoctlRequest.iow("KVM_SET_FPU", KVMIO, 0x8D, KvmStructs.FPU.byteSize());

    private KvmIoctls() {
    }
}
