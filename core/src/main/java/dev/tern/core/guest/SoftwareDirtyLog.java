package dev.tern.core.guest;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.AtomicDirtyBitmap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The reference guest's dirty log: a software stand-in for KVM's, one lock-free bitmap per RAM
 * block, marked by the vCPU threads after each guest write while logging is on, and drained by
 * the migration thread in {@link #syncInto}. Bit {@code i} stands for target page {@code i}
 * (4 KiB) of the block.
 *
 * <p>Thread-safe: the vCPUs mark concurrently with a sync; one thread at a time may sync a
 * block.
 */
public final class SoftwareDirtyLog implements DirtyLog {
    /** Target pages are 4 KiB, whatever the block's host page size. */
    static final int PAGE_SHIFT = 12;

    private final List<RamBlock> blocks;
    private final AtomicDirtyBitmap[] bitmaps;
    private final ReferenceVcpus vcpus;
    private volatile boolean logging;

    /**
     * A log for the guest's blocks, its bitmaps allocated in the guest's arena.
     *
     * @param blocks the RAM blocks, in RAM-list order
     * @param arena where the bitmaps live (freed with guest RAM)
     * @param vcpus the vCPUs, stopped for a moment when logging starts
     */
    SoftwareDirtyLog(List<RamBlock> blocks, Arena arena, ReferenceVcpus vcpus) {
        this.blocks = List.copyOf(blocks);
        this.vcpus = vcpus;
        this.bitmaps = new AtomicDirtyBitmap[blocks.size()];
        for (int i = 0; i < bitmaps.length; i++) {
            long pages = pagesOf(blocks.get(i));
            bitmaps[i] = new AtomicDirtyBitmap(arena.allocate(((pages + 63) >>> 6) * Long.BYTES, Long.BYTES), pages);
        }
    }

    private static long pagesOf(RamBlock block) {
        return (block.usedLength() + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT;
    }

    /**
     * Starts logging (KVM's {@code KVM_MEM_LOG_DIRTY_PAGES}, QEMU's
     * {@code memory_global_dirty_log_start}), with empty bitmaps. The vCPUs are stopped for the
     * moment it takes to switch, so that every write either completed before this method
     * returns (and is visible to whoever reads RAM next) or is marked: no write can slip
     * through unmarked while the switch happens.
     */
    @Override
    public void start() {
        vcpus.whileStopped(() -> {
            for (AtomicDirtyBitmap bitmap : bitmaps) {
                bitmap.clear();
            }
            logging = true;
            return null;
        });
    }

    /** Stops logging; pages marked so far stay marked until the next sync or start. */
    @Override
    public void stop() {
        logging = false;
    }

    /**
     * Whether logging is on.
     *
     * @return true between {@link #start()} and {@link #stop()}
     */
    public boolean logging() {
        return logging;
    }

    /**
     * Moves the pages the guest wrote in {@code block} since the last sync into {@code bitmap}
     * (OR) and clears them here, word by word and without stopping the vCPUs. A page written
     * while the sync runs is either in this sync or in the next one. Once this method returns,
     * the contents the guest wrote into every reported page before marking it are visible to the
     * calling thread.
     *
     * @param block one of this guest's blocks
     * @param bitmap the engine's bitmap: little-endian words, at least
     *     {@code ceil(pages / 64) * 8} bytes
     * @return the number of pages reported
     * @throws IllegalArgumentException if the block is not this guest's or the bitmap is too small
     */
    @Override
    public long syncInto(RamBlock block, MemorySegment bitmap) {
        return bitmaps[indexOf(block)].drainInto(bitmap);
    }

    /**
     * How many pages of a block are marked and not yet synced (a snapshot while the guest runs).
     *
     * @param block one of this guest's blocks
     * @return the number of marked pages
     * @throws IllegalArgumentException if the block is not this guest's
     */
    public long pendingPages(RamBlock block) {
        return bitmaps[indexOf(block)].cardinality();
    }

    /**
     * Called by a vCPU after it wrote guest memory: marks the page if logging is on.
     *
     * @param block the block index
     * @param offset the byte offset written
     */
    void written(int block, long offset) {
        if (logging) {
            bitmaps[block].setRelease(offset >>> PAGE_SHIFT);
        }
    }

    private int indexOf(RamBlock block) {
        for (int i = 0; i < bitmaps.length; i++) {
            if (blocks.get(i) == block) {
                return i;
            }
        }
        throw new IllegalArgumentException("RAM block " + block.name() + " does not belong to this guest");
    }
}
