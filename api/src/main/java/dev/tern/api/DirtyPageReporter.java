package dev.tern.api;

import dev.tern.api.guest.RamBlock;

/**
 * Where a VMM's device-emulation threads report guest RAM they wrote themselves: a hardware
 * dirty log does not see those writes, so without this report they would be lost in migration.
 * Safe to call from any number of threads at once; it never blocks and never allocates.
 */
@FunctionalInterface
public interface DirtyPageReporter {
    /**
     * Marks a byte range of a block dirty.
     *
     * @param block the block written
     * @param offset the first byte written
     * @param length the number of bytes written
     */
    void written(RamBlock block, long offset, long length);
}
