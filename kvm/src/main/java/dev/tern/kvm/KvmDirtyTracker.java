package dev.tern.kvm;

import java.lang.foreign.MemorySegment;

/**
 * Which pages of a VM's memory slots the guest wrote, in one of the three ways KVM offers
 * ({@link DirtyTrackingMode}): the hypervisor half of {@code dev.tern.api.guest.DirtyLog}, which
 * a KVM guest implements by delegating to this.
 *
 * <p>One tracker per VM, created before logging starts (and, for {@link DirtyTrackingMode#RING},
 * before the VM's first vCPU, because {@code KVM_ENABLE_CAP(KVM_CAP_DIRTY_LOG_RING)} is refused
 * afterwards).
 *
 * {@snippet :
 * try (KvmDirtyTracker tracker = KvmDirtyTracker.create(vm, DirtyTrackingMode.MANUAL_CLEAR)) {
 *     tracker.start();
 *     long reported = tracker.syncInto(slot, engineBitmap);
 *     tracker.stop();
 * }
 * }
 *
 * <p>Thread-safe: syncs of different slots may run concurrently with each other and with the
 * vCPUs.
 */
public sealed interface KvmDirtyTracker extends AutoCloseable
        permits BitmapDirtyTracker, ManualClearDirtyTracker, RingDirtyTracker {
    /** Entries per vCPU ring that {@link #create} uses: 4096 (64 KiB), as QEMU's documentation advises. */
    int DEFAULT_RING_ENTRIES = 4096;

    /**
     * Creates the tracker of {@code vm} in {@code mode}, enabling the VM capability the mode
     * needs: nothing for {@link DirtyTrackingMode#BITMAP};
     * {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2} (with {@code KVM_DIRTY_LOG_INITIALLY_SET} when
     * the kernel offers it) for {@link DirtyTrackingMode#MANUAL_CLEAR};
     * {@code KVM_CAP_DIRTY_LOG_RING_ACQ_REL} (or {@code KVM_CAP_DIRTY_LOG_RING}) with
     * {@link #DEFAULT_RING_ENTRIES} entries for {@link DirtyTrackingMode#RING}.
     *
     * @param vm the VM, with no vCPU yet for the ring
     * @param mode the mode
     * @return the tracker, not started
     * @throws KvmException of class {@code KVM_MISSING_CAP} if the host lacks the capability,
     *     or if an ioctl fails
     * @throws IllegalStateException if the VM already has a tracker, or (ring) already has vCPUs
     */
    static KvmDirtyTracker create(KvmVm vm, DirtyTrackingMode mode) {
        return switch (mode) {
            case BITMAP -> BitmapDirtyTracker.create(vm);
            case MANUAL_CLEAR -> ManualClearDirtyTracker.create(vm, ManualClearDirtyTracker.DEFAULT_CHUNK_PAGES);
            case RING -> RingDirtyTracker.create(vm, DEFAULT_RING_ENTRIES);
        };
    }

    /**
     * Creates a {@link DirtyTrackingMode#RING} tracker with rings of {@code entries} entries
     * (QEMU's {@code dirty-ring-size}).
     *
     * @param vm the VM, with no vCPU yet
     * @param entries entries per vCPU ring: a power of two whose 16-byte entries fill at least
     *     one page and at most what {@code KVM_CHECK_EXTENSION(KVM_CAP_DIRTY_LOG_RING)} allows
     * @return the tracker, not started
     * @throws IllegalArgumentException if {@code entries} is not such a size
     * @throws KvmException of class {@code KVM_MISSING_CAP} if the host has no dirty ring
     * @throws IllegalStateException if the VM already has a tracker or vCPUs
     */
    static KvmDirtyTracker createRing(KvmVm vm, int entries) {
        return RingDirtyTracker.create(vm, entries);
    }

    /**
     * The mode.
     *
     * @return how this tracker learns of writes
     */
    DirtyTrackingMode mode();

    /**
     * Starts logging on every memory slot the VM has now ({@code KVM_SET_USER_MEMORY_REGION}
     * with {@code KVM_MEM_LOG_DIRTY_PAGES}). From then on every guest write is reported by a
     * later {@link #syncInto}. In {@link DirtyTrackingMode#MANUAL_CLEAR} with
     * {@code KVM_DIRTY_LOG_INITIALLY_SET}, the first sync reports every page (and re-protects
     * them all), as QEMU's first sync does.
     *
     * @throws KvmException if an ioctl fails
     * @throws IllegalStateException if the tracker or the VM is closed
     */
    void start();

    /**
     * Stops logging on every memory slot of the VM. Pages reported and not yet synced are kept
     * for the next {@link #syncInto}. A {@link DirtyTrackingMode#RING} tracker whose
     * {@code DirtyRing} counters have been read (dirty rate, dirty limit) keeps logging on.
     *
     * @throws KvmException if an ioctl fails
     * @throws IllegalStateException if the tracker or the VM is closed
     */
    void stop();

    /**
     * ORs the pages of {@code slot} that the guest dirtied since the last sync into
     * {@code bitmapWords}: bit {@code i % 64} of the little-endian 64-bit word {@code i / 64}
     * stands for page {@code i} of the slot; bits already set stay set. KVM's record of those
     * pages is cleared and the pages are write-protected again, so a later write is reported by
     * the next sync.
     *
     * @param slot a memory slot of this tracker's VM, with logging on
     * @param bitmapWords the engine's bitmap, at least {@code ceil(slot.pageCount() / 64) * 8}
     *     bytes, on the heap or native
     * @return how many pages the log reported dirty (set now, or already set in the bitmap), as
     *     {@code DirtyLog.syncInto} counts them
     * @throws IllegalArgumentException if the slot is not of this VM or the bitmap is too small
     * @throws KvmException if an ioctl fails ({@code ENOENT} when logging is off)
     * @throws IllegalStateException if the tracker, the slot or the VM is closed
     */
    long syncInto(MemorySlot slot, MemorySegment bitmapWords);

    /**
     * Releases what the tracker holds (the ring mappings); logging is left as it is. Idempotent.
     */
    @Override
    void close();
}
