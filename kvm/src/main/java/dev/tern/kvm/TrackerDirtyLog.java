package dev.tern.kvm;

import dev.tern.api.UnavailableFeatureException;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The guest SPI's {@link DirtyLog} over a {@link KvmDirtyTracker}: each of the guest's RAM
 * blocks is one memory slot, synced by the tracker in its own mode. The tracker clears and
 * re-protects what it reports within the sync, so {@link #clear} has nothing left to do.
 *
 * <p>A guest tracked by the dirty ring refuses to start a migration's log: on the KVM this was
 * built on (KVM on PVM, kernel 6.18) live migrations in ring mode arrived with pages missing in
 * about one run in three, so until the ring harvest is proven against a mainline host, RAM is
 * never migrated from a tracker that can lose a write. The ring still serves dirty-rate
 * measurement and vCPU dirty limits, which read counts only.
 */
final class TrackerDirtyLog implements DirtyLog {
    /** Why a ring-tracked guest does not migrate; the migration's error-desc. */
    static final String RING_MIGRATION_REFUSED = "a KVM guest tracked by the dirty ring cannot be migrated: "
            + "this KVM's ring lost writes under live migration; build the guest with "
            + "DirtyTrackingMode.MANUAL_CLEAR or BITMAP";
    private final KvmDirtyTracker tracker;
    private final List<SlotRamBlock> blocks;

    TrackerDirtyLog(KvmDirtyTracker tracker, List<SlotRamBlock> blocks) {
        this.tracker = tracker;
        this.blocks = List.copyOf(blocks);
    }

    @Override
    public void start() {
        if (tracker.mode() == DirtyTrackingMode.RING) {
            throw new UnavailableFeatureException(RING_MIGRATION_REFUSED);
        }
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
