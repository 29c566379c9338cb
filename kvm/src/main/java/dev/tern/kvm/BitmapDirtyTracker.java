package dev.tern.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link DirtyTrackingMode#BITMAP}: {@code KVM_GET_DIRTY_LOG}, which copies a slot's dirty
 * bitmap and clears and re-protects the whole slot in one call.
 */
final class BitmapDirtyTracker implements KvmDirtyTracker {
    private final KvmVm vm;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BitmapDirtyTracker(KvmVm vm) {
        this.vm = vm;
    }

    static BitmapDirtyTracker create(KvmVm vm) {
        BitmapDirtyTracker tracker = new BitmapDirtyTracker(vm);
        vm.attachDirtyTracker(tracker, () -> { });
        return tracker;
    }

    @Override
    public DirtyTrackingMode mode() {
        return DirtyTrackingMode.BITMAP;
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
        checkSlot(vm, slot, bitmapWords);
        // The kernel overwrites dirtyBitmapSize() bytes, which allocateDirtyBitmap sizes; the
        // copy lives for this call only, long enough to be OR-ed into the engine's words.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment kernel = slot.allocateDirtyBitmap(scratch);
            slot.getDirtyLog(kernel);
            return DirtyBitmapWords.orInto(kernel, bitmapWords, DirtyBitmapWords.words(slot.pageCount()));
        }
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

    /** The checks every mode makes on a sync's arguments. */
    static void checkSlot(KvmVm vm, MemorySlot slot, MemorySegment bitmapWords) {
        if (slot.vm() != vm) {
            throw new IllegalArgumentException("memory slot " + slot.slot() + " belongs to another VM");
        }
        DirtyBitmapWords.checkFits(slot, bitmapWords);
    }
}
