package dev.tern.core.guest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The guest's write path: every store a workload makes goes through here, lands in guest RAM
 * with a plain {@link MemorySegment} access and then marks the page in the dirty log. No locks.
 *
 * <p>Pages are numbered globally across the blocks in RAM-list order, so that random workloads
 * spread over all of the guest's memory.
 */
final class GuestMemory {
    /** The target page size: 4 KiB. */
    static final long PAGE_SIZE = 1L << SoftwareDirtyLog.PAGE_SHIFT;

    private final MemorySegment[] blocks;
    /** firstPage[i] is the global number of block i's first page; firstPage[n] the total. */
    private final long[] firstPage;
    private final SoftwareDirtyLog log;

    /**
     * Wraps the blocks' memory.
     *
     * @param blocks the block memory, in RAM-list order, each a multiple of 4 KiB
     * @param log the dirty log the writes mark
     */
    GuestMemory(MemorySegment[] blocks, SoftwareDirtyLog log) {
        this.blocks = blocks.clone();
        this.log = log;
        this.firstPage = new long[blocks.length + 1];
        for (int i = 0; i < blocks.length; i++) {
            firstPage[i + 1] = firstPage[i] + blocks[i].byteSize() / PAGE_SIZE;
        }
    }

    /**
     * All pages of all blocks.
     *
     * @return the total page count
     */
    long totalPages() {
        return firstPage[blocks.length];
    }

    /**
     * Adds one to a byte, as the A-B guest's {@code incb} does.
     *
     * @param block the block index
     * @param offset the byte's offset in the block
     */
    void incrementByte(int block, long offset) {
        MemorySegment ram = blocks[block];
        ram.set(ValueLayout.JAVA_BYTE, offset, (byte) (ram.get(ValueLayout.JAVA_BYTE, offset) + 1));
        // Mark only after the store: a mark made first could be drained by a sync, the page
        // sent with its old contents, and then the store land with nothing left to say so.
        log.written(block, offset);
    }

    /**
     * Stores 8 bytes at any offset of a page given by its global number.
     *
     * @param globalPage the page, {@code 0 <= globalPage < totalPages()}
     * @param offsetInPage the first byte, {@code 0 <= offsetInPage <= 4088}
     * @param value the value
     */
    void storeLong(long globalPage, long offsetInPage, long value) {
        int block = blockOf(globalPage);
        long offset = ((globalPage - firstPage[block]) << SoftwareDirtyLog.PAGE_SHIFT) + offsetInPage;
        blocks[block].set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
        // After the store, for the reason given in incrementByte.
        log.written(block, offset);
    }

    private int blockOf(long globalPage) {
        // Guests have a handful of blocks: a linear walk beats a binary search here.
        int block = 0;
        while (globalPage >= firstPage[block + 1]) {
            block++;
        }
        return block;
    }
}
