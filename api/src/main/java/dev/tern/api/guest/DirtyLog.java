package dev.tern.api.guest;

import java.lang.foreign.MemorySegment;

/**
 * The hypervisor's record of pages the guest wrote (KVM's dirty log or a software bitmap).
 * Pages the VMM itself writes (device emulation) are reported separately, through the engine's
 * {@code MigrationControl.vmmWrites()}, because a hardware dirty log does not see them.
 */
public interface DirtyLog {
    /** Starts logging; from now on every guest write marks its page dirty. */
    void start();

    /** Stops logging. */
    void stop();

    /**
     * Moves the pages dirtied in {@code block} since the last sync into {@code bitmap}: bit
     * {@code i} (little-endian 64-bit words, bit {@code i % 64} of word {@code i / 64}) stands for
     * target page {@code i} of the block. Bits are OR-ed in; bits already set stay set. The log's
     * own record of those pages is cleared, unless {@link #clear} does that separately.
     *
     * @param block the block
     * @param bitmap the engine's bitmap for the block, at least {@code ceil(pages / 64) * 8} bytes
     * @return the number of pages the log reported dirty (set or already set in the bitmap)
     */
    long syncInto(RamBlock block, MemorySegment bitmap);

    /**
     * Re-arms tracking of a page range once the engine is about to send it, for logs that
     * separate reading from clearing (KVM's manual dirty-log protect). The default does nothing.
     *
     * @param block the block
     * @param firstPage the first target page
     * @param pageCount the number of pages
     */
    default void clear(RamBlock block, long firstPage, long pageCount) {
    }
}
