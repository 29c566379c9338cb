package dev.tern.core.dirtyrate;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;

/** A block of a given size whose memory is never touched (dirty-bitmap mode reads only the log). */
record NoMemoryBlock(String name, long usedLength) implements RamBlock {
    @Override
    public MemorySegment memory() {
        return MemorySegment.NULL;
    }
}
