package dev.tern.kvm;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The guest SPI's {@link DirtyLog} over a {@link KvmDirtyTracker}: each of the guest's RAM
 * blocks is one memory slot, synced by the tracker in its own mode. The tracker clears and
 * re-protects what it reports within the sync, so {@link #clear} has nothing left to do.
 */
final class TrackerDirtyLog implements DirtyLog {
    private final KvmDirtyTracker tracker;
    private final List<SlotRamBlock> blocks;

    TrackerDirtyLog(KvmDirtyTracker tracker, List<SlotRamBlock> blocks) {
        this.tracker = tracker;
        this.blocks = List.copyOf(blocks);
    }

    @Override
    public void start() {
        tracker.start();
    }

    @Override
    public void stop() {
        tracker.stop();
    }

    @Override
    public long syncInto(RamBlock block, MemorySegment bitmap) {
        for (SlotRamBlock own : blocks) {
            if (own == block) {
                return tracker.syncInto(own.slot(), bitmap);
            }
        }
        throw new IllegalArgumentException("RAM block " + block.name() + " is not one of this KVM guest's");
    }
}
