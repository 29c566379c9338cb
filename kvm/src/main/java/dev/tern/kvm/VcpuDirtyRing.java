package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One vCPU's dirty ring: an array of {@code struct kvm_dirty_gfn} shared with KVM, which
 * pushes an entry (flags {@code KVM_DIRTY_GFN_F_DIRTY}) for each page the vCPU dirties.
 * {@link #harvest} collects the entries in ring order from the fetch index, which only user
 * space keeps, and marks each {@code KVM_DIRTY_GFN_F_RESET}; {@code KVM_RESET_DIRTY_RINGS} then
 * re-protects those pages and frees the entries.
 *
 * <p>The flags are the only field both sides write: the kernel publishes an entry by storing
 * {@code DIRTY} after slot and offset (a release), so they are read with an acquire before the
 * entry's other fields; the {@code RESET} store is a release, so the kernel (which reads it with
 * an acquire under {@code KVM_CAP_DIRTY_LOG_RING_ACQ_REL}) sees the entry consumed only after
 * it was read.
 *
 * <p>Not thread-safe: the {@link RingDirtyTracker} harvests under its lock.
 */
final class VcpuDirtyRing {
    /** {@code KVM_DIRTY_GFN_F_DIRTY}: the entry holds a dirty page. */
    static final int F_DIRTY = 1;
    /** {@code KVM_DIRTY_GFN_F_RESET}: user space has harvested the entry. */
    static final int F_RESET = 2;
    /** {@code KVM_DIRTY_GFN_F_MASK}. */
    static final int F_MASK = 3;
    /** {@code KVM_DIRTY_LOG_PAGE_OFFSET} on x86-64: the ring starts at page 64 of the vCPU's mapping. */
    static final long PAGE_OFFSET = 64;

    // (MemorySegment, long offset)int: the flags word, read with acquire and written with release.
    private static final VarHandle FLAGS = JAVA_INT.varHandle();
    private static final long ENTRY = KvmStructs.DIRTY_GFN.byteSize();

    /** Receives the harvested entries, in ring order. */
    interface Sink {
        /**
         * One dirty page.
         *
         * @param slot {@code kvm_dirty_gfn.slot}: address space in bits 16-31, slot id below
         * @param offset the page index within the slot
         */
        void dirty(int slot, long offset);
    }

    private final int vcpu;
    private final MemorySegment gfns;
    private final int entries;
    private int fetchIndex;
    private long reaped;

    /**
     * @param vcpu the vCPU id
     * @param gfns the ring: {@code entries} entries of 16 bytes
     * @param entries a power of two
     */
    VcpuDirtyRing(int vcpu, MemorySegment gfns, int entries) {
        if (Integer.bitCount(entries) != 1 || gfns.byteSize() < entries * ENTRY) {
            throw new IllegalArgumentException("a dirty ring of " + entries + " entries needs a power of two and "
                    + entries * ENTRY + " bytes, got " + gfns.byteSize());
        }
        this.vcpu = vcpu;
        this.gfns = gfns;
        this.entries = entries;
    }

    /**
     * Collects the dirty entries from the fetch index on, stopping at the first that is not
     * dirty (at most one full ring), and marks each one reset.
     *
     * @param sink receives each entry
     * @return how many entries were collected
     */
    int harvest(Sink sink) {
        int count = 0;
        while (count < entries) {
            long base = (fetchIndex & (entries - 1)) * ENTRY;
            int flags = (int) FLAGS.getAcquire(gfns, base + KvmStructs.DIRTY_GFN_FLAGS);
            if ((flags & F_MASK) != F_DIRTY) {
                break;
            }
            sink.dirty(gfns.get(JAVA_INT, base + KvmStructs.DIRTY_GFN_SLOT),
                    gfns.get(JAVA_LONG, base + KvmStructs.DIRTY_GFN_OFFSET));
            FLAGS.setRelease(gfns, base + KvmStructs.DIRTY_GFN_FLAGS, F_RESET);
            fetchIndex++;
            count++;
        }
        reaped += count;
        return count;
    }

    /**
     * Finds where the kernel's pushes went when the entry at the fetch index is not dirty but
     * others are: the first dirty entry (in ring order from the fetch index) that follows an
     * entry that is not, and marks the entries skipped on the way {@code RESET}. A kernel that
     * keeps to the protocol never needs it: it pushes at exactly the index user space fetches
     * from. The PVM flavour of KVM Tern is tested on, when a sweep larger than the ring keeps
     * filling it, exits ring-full with its pushes some entries past the fetch index and the
     * entries in between not dirty, while its reset index stays at the fetch index: its
     * {@code KVM_RESET_DIRTY_RINGS} frees entries in order only while they are marked
     * {@code RESET}, so unless the skipped ones are marked too it frees nothing, ever, and the
     * vCPU exits ring-full in an endless loop. The search goes half a ring ahead only: a dirty
     * entry further on is more likely one left behind the fetch index ({@link #harvestStragglers}),
     * and marking everything up to it would carry the kernel's reset past its push index.
     *
     * @return true if the fetch index moved
     */
    boolean resync() {
        int at = fetchIndex & (entries - 1);
        for (int step = 1; step < entries / 2; step++) {
            int index = (at + step) & (entries - 1);
            int previous = (index - 1) & (entries - 1);
            if (flags(index) == F_DIRTY && flags(previous) != F_DIRTY) {
                for (int skipped = 0; skipped < step; skipped++) {
                    FLAGS.setRelease(gfns, ((at + skipped) & (entries - 1)) * ENTRY + KvmStructs.DIRTY_GFN_FLAGS,
                            F_RESET);
                }
                fetchIndex += step;
                return true;
            }
        }
        return false;
    }

    /**
     * Collects every dirty entry wherever it is, marking each {@code RESET}, without moving the
     * fetch index: for a ring-full exit that neither {@link #harvest} nor {@link #resync} could
     * serve, where the entry the kernel's reset waits at lies behind the fetch index.
     *
     * @param sink receives each entry
     * @return how many entries were collected
     */
    int harvestStragglers(Sink sink) {
        int count = 0;
        for (int index = 0; index < entries; index++) {
            if (flags(index) == F_DIRTY) {
                long base = index * ENTRY;
                sink.dirty(gfns.get(JAVA_INT, base + KvmStructs.DIRTY_GFN_SLOT),
                        gfns.get(JAVA_LONG, base + KvmStructs.DIRTY_GFN_OFFSET));
                FLAGS.setRelease(gfns, base + KvmStructs.DIRTY_GFN_FLAGS, F_RESET);
                count++;
            }
        }
        reaped += count;
        return count;
    }

    private int flags(int index) {
        return (int) FLAGS.getAcquire(gfns, index * ENTRY + KvmStructs.DIRTY_GFN_FLAGS) & F_MASK;
    }

    /** The vCPU id. */
    int vcpu() {
        return vcpu;
    }

    /** The next entry to look at, counting from 0 without wrapping (modulo 2^32). */
    int fetchIndex() {
        return fetchIndex;
    }

    /** Entries harvested since the ring was mapped. */
    long reaped() {
        return reaped;
    }
}
