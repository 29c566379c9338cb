package dev.tern.kvm;

import dev.tern.api.guest.DirtyRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link DirtyTrackingMode#RING}: per-vCPU dirty rings ({@code KVM_CAP_DIRTY_LOG_RING_ACQ_REL},
 * or {@code KVM_CAP_DIRTY_LOG_RING} on kernels without it), enabled on the VM before its first
 * vCPU and mapped from each vCPU descriptor at page {@link VcpuDirtyRing#PAGE_OFFSET}.
 *
 * <p>A harvest collects every ring's dirty entries into per-slot pending bitmaps and then calls
 * {@code KVM_RESET_DIRTY_RINGS} once; {@link #syncInto} harvests and moves a slot's pending
 * bits into the engine's bitmap. A vCPU whose ring fills exits with
 * {@code KVM_EXIT_DIRTY_RING_FULL}; its run loop calls {@link #ringFull(int)}, which harvests
 * that ring, resets it and says how long the vCPU is to sleep (spec 11.6: the dirty limit acts
 * through that sleep), so the vCPU re-enters the guest only once its ring has room.
 *
 * <p>A sync sees what is in the rings: on hosts that buffer dirty pages in hardware (Intel
 * PML) a running vCPU's last writes reach its ring at its next exit, so a sync that must be
 * complete (the one before switchover) runs with the vCPUs paused, as QEMU's does.
 *
 * <p>It is also the guest SPI's {@link DirtyRing}. Thread-safe: harvests run under one lock.
 */
final class RingDirtyTracker implements KvmDirtyTracker, DirtyRing {
    /** The largest pending bitmap: the largest Java array, 2^31 - 8 words of 64 pages. */
    private static final int MAX_PENDING_WORDS = Integer.MAX_VALUE - 8;
    /**
     * Ring-full exits in a row with nothing to harvest after which the vCPU is stopped. On a
     * kernel that keeps to the protocol a second one in a row cannot happen (the reset after the
     * first lets the vCPU run); the PVM host this was written on gets there at high dirty rates.
     */
    static final int MAX_EMPTY_RING_FULLS = 10_000;
    private static final VcpuDirtyRing.Sink NO_OBSERVER = (slot, offset) -> { };

    private final KvmVm vm;
    private final int entries;
    private final int capability;
    // Shared: vCPU threads harvest their own ring on ring-full, the migration thread all rings.
    // Closed once, with the tracker, which unmaps every ring.
    private final Arena rings = Arena.ofShared();
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock: the mapped rings by vCPU id.
    private final Map<Integer, VcpuDirtyRing> byVcpu = new TreeMap<>();
    // Guarded by lock: pages harvested and not yet synced, by kvm_dirty_gfn.slot (address
    // space 0, the only one Tern registers, is the plain slot id), grown on demand.
    private final Map<Integer, long[]> pending = new HashMap<>();
    private final Map<Integer, Long> ringFullSleepMicros = new ConcurrentHashMap<>();
    // Guarded by lock: KVM_EXIT_DIRTY_RING_FULL exits served, by vCPU id.
    private final Map<Integer, Long> ringFullExits = new HashMap<>();
    // Guarded by lock: ring-full exits in a row that found nothing to harvest, by vCPU id.
    private final Map<Integer, Integer> emptyRingFulls = new HashMap<>();
    // Guarded by lock.
    private boolean closed;
    // Guarded by loggingLock (taken before the VM's monitor, never inside lock): set once a
    // dirty-ring consumer (calc-dirty-rate in dirty-ring mode, the dirty limit) has read a
    // counter. KVM pushes ring entries only for slots with dirty logging on, and those consumers
    // read the counters without starting the log, where QEMU turns its global dirty log on for
    // them; from then on logging stays on, and stop() leaves it on, as they may read at any time.
    private final Object loggingLock = new Object();
    private boolean loggingPinned;
    // Guarded by lock: sees the entries of the harvest under way (tests look at their order).
    private VcpuDirtyRing.Sink observer = NO_OBSERVER;
    // Guarded by lock: the pending bitmap record() used last, valid while it is in `pending`.
    private int lastSlot = -1;
    private long[] lastWords;

    private RingDirtyTracker(KvmVm vm, int entries, int capability) {
        this.vm = vm;
        this.entries = entries;
        this.capability = capability;
    }

    static RingDirtyTracker create(KvmVm vm, int entries) {
        int capability = KvmCapabilities.DIRTY_LOG_RING_ACQ_REL;
        // Both answer with the largest ring in bytes.
        int maxBytes = vm.checkExtension(capability);
        if (maxBytes <= 0) {
            capability = KvmCapabilities.DIRTY_LOG_RING;
            maxBytes = vm.checkExtension(capability);
        }
        if (maxBytes <= 0) {
            throw KvmException.missingCapability("KVM_CAP_DIRTY_LOG_RING");
        }
        long entryBytes = KvmStructs.DIRTY_GFN.byteSize();
        long minEntries = Syscalls.pageSize() / entryBytes;
        long maxEntries = maxBytes / entryBytes;
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("dirty ring size must be a power of two: " + entries);
        }
        if (entries < minEntries || entries > maxEntries) {
            throw new IllegalArgumentException("dirty ring size must be " + minEntries + " to " + maxEntries
                    + " entries: " + entries);
        }
        RingDirtyTracker tracker = new RingDirtyTracker(vm, entries, capability);
        int cap = capability;
        vm.attachDirtyTracker(tracker, () -> vm.enableCap(cap, entries * entryBytes));
        return tracker;
    }

    /** The capability enabled: {@code KVM_CAP_DIRTY_LOG_RING_ACQ_REL} or {@code KVM_CAP_DIRTY_LOG_RING}. */
    int capability() {
        return capability;
    }

    /**
     * Maps the ring of a new vCPU; {@link KvmVm} calls it for every vCPU it creates.
     *
     * @param vcpu the vCPU id
     * @param vcpuFd its descriptor
     * @throws KvmException if the mapping fails
     */
    void attach(int vcpu, int vcpuFd) {
        lock.lock();
        try {
            ensureOpen();
            long bytes = entries * KvmStructs.DIRTY_GFN.byteSize();
            // KVM serves exactly entries * 16 bytes of kvm_dirty_gfn at page 64 of the vCPU
            // descriptor; the mapping lives until close(), after the harvests that read it.
            MemorySegment gfns = Syscalls.mmap(bytes, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED,
                    vcpuFd, VcpuDirtyRing.PAGE_OFFSET * Syscalls.pageSize(), rings);
            byVcpu.put(vcpu, new VcpuDirtyRing(vcpu, gfns, entries));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a ring that is not a vCPU's, for tests that play the kernel's part.
     *
     * @param ring the ring, which the caller keeps alive until this tracker closes
     */
    void attach(VcpuDirtyRing ring) {
        lock.lock();
        try {
            ensureOpen();
            byVcpu.put(ring.vcpu(), ring);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DirtyTrackingMode mode() {
        return DirtyTrackingMode.RING;
    }

    @Override
    public void start() {
        lock.lock();
        try {
            ensureOpen();
            pending.clear();
            lastSlot = -1;
        } finally {
            lock.unlock();
        }
        vm.setDirtyLoggingOnAllSlots(true);
    }

    @Override
    public void stop() {
        lock.lock();
        try {
            ensureOpen();
        } finally {
            lock.unlock();
        }
        synchronized (loggingLock) {
            if (!loggingPinned) {
                vm.setDirtyLoggingOnAllSlots(false);
            }
        }
    }

    @Override
    public long syncInto(MemorySlot slot, MemorySegment bitmapWords) {
        BitmapDirtyTracker.checkSlot(vm, slot, bitmapWords);
        lock.lock();
        try {
            ensureOpen();
            harvestLocked(null);
            long[] words = pending.get(slot.slot());
            if (words == null) {
                return 0;
            }
            long slotWords = DirtyBitmapWords.words(slot.pageCount());
            long lastMask = slot.pageCount() % 64 == 0 ? -1L : (1L << (slot.pageCount() % 64)) - 1;
            long count = 0;
            for (int i = 0; i < Math.min(words.length, slotWords); i++) {
                long bits = words[i];
                if (i == slotWords - 1) {
                    // Offsets past the slot's end cannot come from KVM for this slot; drop them.
                    bits &= lastMask;
                }
                if (bits != 0) {
                    count += Long.bitCount(bits);
                    long at = i * 8L;
                    bitmapWords.set(DirtyBitmapWords.ENGINE_WORD, at,
                            bitmapWords.get(DirtyBitmapWords.ENGINE_WORD, at) | bits);
                }
            }
            pending.remove(slot.slot());
            lastSlot = -1;
            return count;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Harvests every ring into the pending bitmaps and resets them.
     *
     * @return the entries harvested
     */
    int harvest() {
        return harvest((slot, offset) -> { });
    }

    /**
     * {@link #harvest()}, showing {@code observer} every entry in the order it was collected.
     *
     * @param observer sees each entry after it was recorded
     * @return the entries harvested
     */
    int harvest(VcpuDirtyRing.Sink observer) {
        lock.lock();
        try {
            ensureOpen();
            this.observer = observer;
            return harvestLocked(null);
        } finally {
            this.observer = NO_OBSERVER;
            lock.unlock();
        }
    }

    /**
     * Called on a vCPU's thread when {@code KVM_RUN} returned {@code KVM_EXIT_DIRTY_RING_FULL}:
     * harvests that vCPU's ring and resets it, so that the vCPU can run again.
     *
     * @param vcpu the vCPU id
     * @return how long the vCPU is to sleep before it runs again, in microseconds
     *     ({@link #setRingFullSleep})
     * @throws IllegalStateException if the tracker is closed (the vCPU cannot run on)
     * @throws KvmException if the ring was found empty {@link #MAX_EMPTY_RING_FULLS} times in a row
     */
    long ringFull(int vcpu) {
        lock.lock();
        try {
            ensureOpen();
            ringFullExits.merge(vcpu, 1L, Long::sum);
            VcpuDirtyRing ring = byVcpu.get(vcpu);
            if (ring == null) {
                throw new IllegalStateException("vCPU " + vcpu + " has no dirty ring mapped");
            }
            // Hook added for the dirty limit (see VcpuDirtyRing.resync): when nothing is at the
            // fetch index, the pushes may have gone past it (harvest them from there, and the
            // reset catches up) or dirty entries may be left anywhere in the ring (what the reset
            // waits for).
            int collected = harvestLocked(ring);
            if (collected == 0 && ring.resync()) {
                collected = harvestLocked(ring);
            } else if (collected == 0) {
                collected = ring.harvestStragglers(this::record);
                if (collected > 0) {
                    Ioctl.call(vm.fd(), KvmIoctls.KVM_RESET_DIRTY_RINGS, 0L);
                }
            }
            if (collected > 0) {
                emptyRingFulls.remove(vcpu);
            } else if (emptyRingFulls.merge(vcpu, 1, Integer::sum) >= MAX_EMPTY_RING_FULLS) {
                // Without this the vCPU would spin in and out of KVM_RUN for ever.
                throw KvmException.vcpuStopped(vcpu, "KVM_EXIT_DIRTY_RING_FULL (31) " + MAX_EMPTY_RING_FULLS
                        + " times in a row with no dirty entry to harvest: the kernel's ring no longer"
                        + " matches its entries");
            }
        } finally {
            lock.unlock();
        }
        return ringFullSleepMicros.getOrDefault(vcpu, 0L);
    }

    /** Harvests {@code only} (or every ring if null), then resets if anything was collected. */
    private int harvestLocked(VcpuDirtyRing only) {
        int collected = 0;
        if (only != null) {
            collected = only.harvest(this::record);
        } else {
            for (VcpuDirtyRing ring : byVcpu.values()) {
                collected += ring.harvest(this::record);
            }
        }
        if (collected > 0 || only != null) {
            // Once per harvest, after every collected entry was marked RESET. Always after a
            // ring-full harvest, even of nothing: the vCPU exited because KVM counts its ring as
            // full, and only a reset makes KVM count again (on the PVM host Tern was tested on,
            // a ring-full exit can come with every entry already harvested).
            // No argument: the kernel walks every vCPU's ring from its own reset index.
            Ioctl.call(vm.fd(), KvmIoctls.KVM_RESET_DIRTY_RINGS, 0L);
        }
        return collected;
    }

    /** Sets the page's bit in its slot's pending bitmap, growing it (by doubling) to fit. */
    private void record(int slot, long offset) {
        observer.dirty(slot, offset);
        long word = offset >>> 6;
        if (offset < 0 || word >= MAX_PENDING_WORDS) {
            // Not a page of any slot Tern can register: KVM caps a slot below 2^37 pages.
            return;
        }
        // Entries come in runs of one slot: skip the map lookup (and its boxing) within a run.
        long[] words = slot == lastSlot ? lastWords : pending.get(slot);
        if (words == null || words.length <= word) {
            int length = words == null ? 64 : words.length;
            while (length <= word) {
                length = (int) Math.min(MAX_PENDING_WORDS, 2L * length);
            }
            words = words == null ? new long[length] : Arrays.copyOf(words, length);
            pending.put(slot, words);
        }
        lastSlot = slot;
        lastWords = words;
        words[(int) word] |= 1L << (offset & 63);
    }

    /**
     * How many times {@link #ringFull(int)} ran for a vCPU.
     *
     * @param vcpu the vCPU id
     * @return the count
     */
    long ringFullExits(int vcpu) {
        lock.lock();
        try {
            return ringFullExits.getOrDefault(vcpu, 0L);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int ringEntries() {
        return entries;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Hooks added for the dirty rate and the dirty limit (spec 11.3, 11.6): the first call
     * turns dirty logging on for good, since KVM pushes ring entries only for logged slots and
     * these consumers never start the log themselves ({@link #stop()} leaves it on from then);
     * and each call harvests the vCPU's ring first, because QEMU syncs the dirty log before it
     * reads the counters that close a measuring window while the engine only reads this
     * counter, so without the harvest the entries still in the ring (up to 16 MiB with 4096
     * entries) would be missing from the window.
     */
    @Override
    public long pagesReaped(int vcpu) {
        pinLogging();
        lock.lock();
        try {
            VcpuDirtyRing ring = byVcpu.get(vcpu);
            if (ring == null) {
                return 0;
            }
            if (ring.harvest(this::record) > 0) {
                Ioctl.call(vm.fd(), KvmIoctls.KVM_RESET_DIRTY_RINGS, 0L);
            }
            return ring.reaped();
        } finally {
            lock.unlock();
        }
    }

    /** Turns dirty logging on for good at a ring consumer's first read (see loggingPinned). */
    private void pinLogging() {
        synchronized (loggingLock) {
            if (loggingPinned) {
                return;
            }
            lock.lock();
            try {
                if (closed) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            vm.setDirtyLoggingOnAllSlots(true);
            loggingPinned = true;
        }
    }

    @Override
    public void setRingFullSleep(int vcpu, long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("the ring-full sleep must not be negative: " + micros);
        }
        if (micros == 0) {
            ringFullSleepMicros.remove(vcpu);
        } else {
            ringFullSleepMicros.put(vcpu, micros);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            byVcpu.clear();
            pending.clear();
            lastSlot = -1;
            // Unmaps every ring: no harvest can run, they all take the lock and see `closed`.
            rings.close();
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the RING dirty tracker is closed");
        }
    }
}
