package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One KVM memory slot: guest RAM in a private anonymous mapping (or a shared mapping of a file), registered on a VM with
 * {@code KVM_SET_USER_MEMORY_REGION}, and its dirty log ({@code KVM_GET_DIRTY_LOG}).
 *
 * <p>{@link #memory()} is the guest's RAM as the host sees it; it stays valid until
 * {@link #close()}, which unregisters the slot and unmaps the memory, after which any access
 * through the segment throws {@link IllegalStateException} instead of touching freed memory.
 *
 * <p>Thread-safe, except that {@link #close()} must not run while another thread is inside
 * {@link #getDirtyLog(MemorySegment)} or {@link #setDirtyLogging(boolean)}.
 */
public final class MemorySlot implements AutoCloseable {
    /** {@code KVM_MEM_LOG_DIRTY_PAGES}: KVM records guest writes in the slot's dirty bitmap. */
    static final int KVM_MEM_LOG_DIRTY_PAGES = 1;

    private final KvmVm vm;
    private final int slot;
    private final long guestPhysAddr;
    private final long size;
    private final Arena arena;
    private final MemorySegment memory;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean dirtyLogging;

    private MemorySlot(KvmVm vm, int slot, long guestPhysAddr, long size, Arena arena, MemorySegment memory,
            boolean dirtyLogging) {
        this.vm = vm;
        this.slot = slot;
        this.guestPhysAddr = guestPhysAddr;
        this.size = size;
        this.arena = arena;
        this.memory = memory;
        this.dirtyLogging = dirtyLogging;
    }

    /** Maps and registers; arguments are checked by {@link KvmVm#createMemorySlot}. */
    static MemorySlot create(KvmVm vm, int vmFd, int slot, long guestPhysAddr, long size, boolean logDirtyPages) {
        return create(vm, vmFd, slot, guestPhysAddr, size, logDirtyPages, -1);
    }

    /**
     * Maps {@code backingFd} shared (or private anonymous memory if it is -1) and registers it;
     * arguments are checked by {@link KvmVm}. The mapping keeps the file; the caller still owns
     * (and closes) the descriptor.
     */
    static MemorySlot create(KvmVm vm, int vmFd, int slot, long guestPhysAddr, long size, boolean logDirtyPages,
            int backingFd) {
        // A shared arena: migration threads read guest RAM while vCPU threads write it; it is
        // closed once, with the slot.
        Arena arena = Arena.ofShared();
        try {
            MemorySegment memory = Syscalls.mmap(size, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    // Anonymous RAM is private, as QEMU's: an untouched page then reads as the
                    // kernel's zero page, so a migration's zero-page scan allocates nothing (a
                    // shared anonymous page is allocated by its first read).
                    backingFd < 0 ? Syscalls.MAP_PRIVATE | Syscalls.MAP_ANONYMOUS : Syscalls.MAP_SHARED, backingFd, 0,
                    arena);
            setRegion(vmFd, slot, logDirtyPages ? KVM_MEM_LOG_DIRTY_PAGES : 0, guestPhysAddr, size, memory.address());
            return new MemorySlot(vm, slot, guestPhysAddr, size, arena, memory, logDirtyPages);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** {@code KVM_SET_USER_MEMORY_REGION}; size 0 deletes the slot. */
    private static void setRegion(int vmFd, int slot, int flags, long guestPhysAddr, long size, long userspaceAddr) {
        // The struct is read by the kernel during the ioctl only; the confined arena frees it
        // right after, and allocate() sizes and aligns it by the layout (32 bytes, zeroed).
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment region = scratch.allocate(KvmStructs.USERSPACE_MEMORY_REGION);
            KvmStructs.REGION_SLOT.set(region, 0L, slot);
            KvmStructs.REGION_FLAGS.set(region, 0L, flags);
            KvmStructs.REGION_GUEST_PHYS_ADDR.set(region, 0L, guestPhysAddr);
            KvmStructs.REGION_MEMORY_SIZE.set(region, 0L, size);
            KvmStructs.REGION_USERSPACE_ADDR.set(region, 0L, userspaceAddr);
            Ioctl.call(vmFd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, region);
        }
    }

    /**
     * The slot id.
     *
     * @return 0 to 65535
     */
    public int slot() {
        return slot;
    }

    /**
     * Where the guest sees this memory.
     *
     * @return the guest physical address of the first byte
     */
    public long guestPhysAddr() {
        return guestPhysAddr;
    }

    /**
     * The size of the slot.
     *
     * @return bytes, a multiple of the page size
     */
    public long size() {
        return size;
    }

    /**
     * The guest RAM: {@link #size()} bytes, byte 0 at {@link #guestPhysAddr()}. Writes from
     * the host through this segment are not recorded in the dirty log; only guest writes are.
     *
     * @return the segment, valid until {@link #close()}
     */
    public MemorySegment memory() {
        return memory;
    }

    /**
     * The page size the dirty log counts in: one bit per host page.
     *
     * @return bytes per page
     */
    public static long pageSize() {
        return Syscalls.pageSize();
    }

    /**
     * The number of pages in the slot.
     *
     * @return {@code size() / pageSize()}
     */
    public long pageCount() {
        return size / Syscalls.pageSize();
    }

    /**
     * The bytes {@code KVM_GET_DIRTY_LOG} writes: one bit per page, rounded up to whole
     * 64-bit words.
     *
     * @return the minimum size of the bitmap for {@link #getDirtyLog(MemorySegment)}
     */
    public long dirtyBitmapSize() {
        return (pageCount() + 63) / 64 * 8;
    }

    /**
     * Whether KVM records guest writes to this slot.
     *
     * @return the state of {@code KVM_MEM_LOG_DIRTY_PAGES}
     */
    public boolean dirtyLogging() {
        return dirtyLogging;
    }

    /**
     * Turns dirty logging on or off by re-registering the slot with or without
     * {@code KVM_MEM_LOG_DIRTY_PAGES}, as QEMU does when a migration starts and ends. Turning
     * it on starts with an empty log.
     *
     * @param enabled the new state
     * @throws KvmException if the ioctl fails
     * @throws IllegalStateException if the slot or its VM is closed
     */
    public synchronized void setDirtyLogging(boolean enabled) {
        ensureOpen();
        if (enabled == dirtyLogging) {
            return;
        }
        setRegion(vm.fd(), slot, enabled ? KVM_MEM_LOG_DIRTY_PAGES : 0, guestPhysAddr, size, memory.address());
        dirtyLogging = enabled;
    }

    /**
     * {@code KVM_GET_DIRTY_LOG}: copies the slot's dirty bitmap into {@code bitmap} and clears
     * it in the kernel. Bit {@code i} (bit {@code i % 64} of the native-order {@code long} at
     * byte {@code i / 64 * 8}) is set if the guest wrote page {@code i} of the slot since the
     * previous call, or since logging was turned on.
     *
     * @param bitmap a native segment of at least {@link #dirtyBitmapSize()} bytes; it must
     *     stay alive until this method returns (the kernel writes it through a raw pointer)
     * @throws IllegalArgumentException if the bitmap is not native or too small
     * @throws KvmException if the ioctl fails ({@code ENOENT} when dirty logging is off)
     * @throws IllegalStateException if the slot or its VM is closed
     */
    public void getDirtyLog(MemorySegment bitmap) {
        if (!bitmap.isNative()) {
            throw new IllegalArgumentException("the dirty bitmap must be native memory: the kernel writes it");
        }
        if (bitmap.byteSize() < dirtyBitmapSize()) {
            throw new IllegalArgumentException("the dirty bitmap of slot " + slot + " needs " + dirtyBitmapSize()
                    + " bytes, got " + bitmap.byteSize());
        }
        ensureOpen();
        // The kernel writes dirtyBitmapSize() bytes through the pointer, checked above to fit
        // in `bitmap`; the struct itself lives for the ioctl only (16 bytes, by layout).
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment log = scratch.allocate(KvmStructs.DIRTY_LOG);
            KvmStructs.DIRTY_LOG_SLOT.set(log, 0L, slot);
            KvmStructs.DIRTY_LOG_BITMAP.set(log, 0L, bitmap);
            Ioctl.call(vm.fd(), KvmIoctls.KVM_GET_DIRTY_LOG, log);
        }
    }

    // ---- Dirty tracking (manual clear) ----

    /**
     * {@code KVM_CLEAR_DIRTY_LOG}: re-protects the pages of {@code [firstPage, firstPage +
     * pageCount)} whose bit is set in {@code bitmap} (bit 0 is {@code firstPage}) and clears
     * them in KVM's log. Needs {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2} enabled on the VM.
     *
     * @param firstPage a multiple of 64
     * @param pageCount a multiple of 64, or what is left of the slot
     * @param bitmap native, at least {@code ceil(pageCount / 64) * 8} bytes
     * @throws KvmException if the ioctl fails ({@code EINVAL} for a misaligned range)
     */
    void clearDirtyLog(long firstPage, int pageCount, MemorySegment bitmap) {
        if (bitmap.byteSize() < DirtyBitmapWords.words(pageCount) * 8) {
            throw new IllegalArgumentException("the clear bitmap needs " + DirtyBitmapWords.words(pageCount) * 8
                    + " bytes, got " + bitmap.byteSize());
        }
        ensureOpen();
        // The kernel reads ceil(pageCount / 64) words through the pointer, checked above to
        // fit in `bitmap`; the struct (24 bytes, by layout) lives for the ioctl only.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment clear = scratch.allocate(KvmStructs.CLEAR_DIRTY_LOG);
            KvmStructs.CLEAR_DIRTY_LOG_SLOT.set(clear, 0L, slot);
            KvmStructs.CLEAR_DIRTY_LOG_NUM_PAGES.set(clear, 0L, pageCount);
            KvmStructs.CLEAR_DIRTY_LOG_FIRST_PAGE.set(clear, 0L, firstPage);
            KvmStructs.CLEAR_DIRTY_LOG_BITMAP.set(clear, 0L, bitmap);
            Ioctl.call(vm.fd(), KvmIoctls.KVM_CLEAR_DIRTY_LOG, clear);
        }
    }

    /** The VM the slot belongs to. */
    KvmVm vm() {
        return vm;
    }

    // ---- end of dirty tracking ----

    /**
     * Allocates a zeroed bitmap of {@link #dirtyBitmapSize()} bytes, 8-byte aligned, in
     * {@code arena}.
     *
     * @param arena the bitmap's lifetime
     * @return the bitmap
     */
    public MemorySegment allocateDirtyBitmap(Arena arena) {
        return arena.allocate(dirtyBitmapSize(), JAVA_LONG.byteAlignment());
    }

    /**
     * Unregisters the slot (if its VM is still open) and unmaps the memory; any later access
     * through {@link #memory()} fails. Idempotent.
     *
     * @throws KvmException if unregistering fails; the memory is unmapped all the same
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            int vmFd;
            try {
                vmFd = vm.fd();
            } catch (IllegalStateException vmClosed) {
                // The VM is gone and with it the slot; only the mapping is left to release.
                return;
            }
            setRegion(vmFd, slot, 0, guestPhysAddr, 0, memory.address());
        } finally {
            vm.forget(this);
            // Runs the munmap cleanup registered in Syscalls.mmap.
            arena.close();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("memory slot " + slot + " is closed");
        }
    }

    @Override
    public String toString() {
        return "MemorySlot[slot=" + slot + ", guestPhysAddr=0x" + Long.toHexString(guestPhysAddr) + ", size=" + size
                + ", dirtyLogging=" + dirtyLogging + "]";
    }
}
