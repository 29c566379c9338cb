package dev.tern.kvm;

/**
 * How a {@link KvmDirtyTracker} learns which pages the guest wrote: the three ways KVM offers,
 * which QEMU 7.2 uses for migration and for {@code calc-dirty-rate} (spec 11.3, 11.4).
 */
public enum DirtyTrackingMode {
    /**
     * {@code KVM_GET_DIRTY_LOG} alone: each sync copies a slot's bitmap and KVM clears and
     * re-protects the whole slot in the same call. Needs nothing beyond basic KVM.
     */
    BITMAP,
    /**
     * {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2}: {@code KVM_GET_DIRTY_LOG} only reads, and
     * {@code KVM_CLEAR_DIRTY_LOG} re-protects exactly the pages that were reported, chunk by
     * chunk, so that a large slot is not write-protected in one long hold of KVM's MMU lock.
     */
    MANUAL_CLEAR,
    /**
     * {@code KVM_CAP_DIRTY_LOG_RING} (preferably {@code _ACQ_REL}): each vCPU pushes the pages it
     * dirties into a ring shared with user space, which harvests them and calls
     * {@code KVM_RESET_DIRTY_RINGS}. A vCPU whose ring is full exits with
     * {@code KVM_EXIT_DIRTY_RING_FULL} until its ring is harvested; this is what QEMU's vCPU
     * dirty limit acts through (spec 11.6).
     */
    RING
}
