package dev.tern.api.guest;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A plain {@link RamBlock} over a segment.
 *
 * @param name the block name
 * @param memory the memory
 * @param usedLength the used length
 * @param pageSize the host page size
 * @param shared whether the memory is shared with another process
 */
public record SegmentRamBlock(String name, MemorySegment memory, long usedLength, long pageSize, boolean shared)
        implements RamBlock {
    /** Checks the block's geometry. */
    public SegmentRamBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(memory, "memory");
        if (usedLength < 0 || usedLength > memory.byteSize()) {
            throw new IllegalArgumentException("used length " + usedLength + " outside the segment of "
                    + memory.byteSize() + " bytes");
        }
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize + " is not a power of two");
        }
    }
}
