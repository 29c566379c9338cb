package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link DirtyTrackingMode#MANUAL_CLEAR}: {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2}. A sync reads
 * the slot's log with {@code KVM_GET_DIRTY_LOG} (which then only copies) and re-protects exactly
 * the reported pages with {@code KVM_CLEAR_DIRTY_LOG}, one chunk of {@link #chunkPages()} pages
 * per call, skipping chunks with nothing reported.
 *
 * <p>The chunk is QEMU's default {@code clear-bitmap-shift} of 18: 2^18 pages, 1 GiB of 4 KiB
 * pages, per clear. Each {@code KVM_CLEAR_DIRTY_LOG} holds KVM's MMU lock while it
 * write-protects its range, which stalls the vCPUs' own faults; a bounded chunk bounds that
 * stall, and a chunk as large as QEMU's keeps the number of ioctls per GiB at one.
 */
final class ManualClearDirtyTracker implements KvmDirtyTracker {
    /** QEMU's {@code CLEAR_BITMAP_SHIFT_DEFAULT} (18): pages per {@code KVM_CLEAR_DIRTY_LOG}. */
    static final int DEFAULT_CHUNK_PAGES = 1 << 18;

    /** {@code KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE}. */
    static final long MANUAL_PROTECT_ENABLE = 1;
    /** {@code KVM_DIRTY_LOG_INITIALLY_SET}: logging starts with every page dirty and unprotected. */
    static final long INITIALLY_SET = 2;

    private final KvmVm vm;
    private final int chunkPages;
    private final boolean initiallySet;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ManualClearDirtyTracker(KvmVm vm, int chunkPages, boolean initiallySet) {
        this.vm = vm;
        this.chunkPages = chunkPages;
        this.initiallySet = initiallySet;
    }

    /**
     * Enables manual protection on {@code vm}, with {@code INITIALLY_SET} if offered.
     *
     * @param chunkPages pages per {@code KVM_CLEAR_DIRTY_LOG}, a positive multiple of 64
     */
    static ManualClearDirtyTracker create(KvmVm vm, int chunkPages) {
        if (chunkPages <= 0 || chunkPages % 64 != 0) {
            throw new IllegalArgumentException("the clear chunk must be a positive multiple of 64 pages: " + chunkPages);
        }
        // KVM_CHECK_EXTENSION answers with the flags it accepts in args[0].
        int offered = vm.checkExtension(KvmCapabilities.MANUAL_DIRTY_LOG_PROTECT2);
        if ((offered & MANUAL_PROTECT_ENABLE) == 0) {
            throw KvmException.missingCapability("KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2");
        }
        boolean initiallySet = (offered & INITIALLY_SET) != 0;
        ManualClearDirtyTracker tracker = new ManualClearDirtyTracker(vm, chunkPages, initiallySet);
        vm.attachDirtyTracker(tracker, () -> vm.enableCap(KvmCapabilities.MANUAL_DIRTY_LOG_PROTECT2,
                MANUAL_PROTECT_ENABLE | (initiallySet ? INITIALLY_SET : 0)));
        return tracker;
    }

    /** Pages per {@code KVM_CLEAR_DIRTY_LOG}. */
    int chunkPages() {
        return chunkPages;
    }

    /** Whether logging starts with every page reported ({@code KVM_DIRTY_LOG_INITIALLY_SET}). */
    boolean initiallySet() {
        return initiallySet;
    }

    @Override
    public DirtyTrackingMode mode() {
        return DirtyTrackingMode.MANUAL_CLEAR;
    }

    @Override
    public void start() {
        ensureOpen();
        vm.setDirtyLoggingOnAllSlots(true);
    }

    @Override
    public void stop() {
        ensureOpen();
        vm.setDirtyLoggingOnAllSlots(false);
    }

    @Override
    public long syncInto(MemorySlot slot, MemorySegment bitmapWords) {
        ensureOpen();
        BitmapDirtyTracker.checkSlot(vm, slot, bitmapWords);
        long pages = slot.pageCount();
        // The kernel writes dirtyBitmapSize() bytes, which allocateDirtyBitmap sizes; the copy
        // lives until every chunk of it has been handed back to KVM_CLEAR_DIRTY_LOG.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reported = slot.allocateDirtyBitmap(scratch);
            slot.getDirtyLog(reported);
            long count = DirtyBitmapWords.orInto(reported, bitmapWords, DirtyBitmapWords.words(pages));
            if (count > 0) {
                for (long first = 0; first < pages; first += chunkPages) {
                    int chunk = (int) Math.min(chunkPages, pages - first);
                    // first is a multiple of 64, so the chunk starts on a word: byte first / 8.
                    MemorySegment bits = reported.asSlice(first / 8, DirtyBitmapWords.words(chunk) * 8);
                    if (anySet(bits)) {
                        slot.clearDirtyLog(first, chunk, bits);
                    }
                }
            }
            return count;
        }
    }

    private static boolean anySet(MemorySegment words) {
        for (long i = 0, n = words.byteSize() / 8; i < n; i++) {
            if (words.getAtIndex(JAVA_LONG, i) != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the " + mode() + " dirty tracker is closed");
        }
    }
}
