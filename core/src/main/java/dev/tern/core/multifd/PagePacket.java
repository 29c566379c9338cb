package dev.tern.core.multifd;

import dev.tern.api.guest.RamBlock;

/**
 * The pages of one packet ({@code MultiFDPages_t}): a block and up to {@code pages_alloc} page
 * offsets in it. Reused: the migration thread fills one, hands it to a channel at dispatch and
 * takes the channel's emptied one in exchange, so exactly one thread owns each at any time and
 * nothing is allocated per packet.
 */
final class PagePacket {
    final long[] offsets;
    /** The block's index in the sender's block table. */
    int block = -1;
    RamBlock ram;
    int count;

    PagePacket(int pagesAlloc) {
        this.offsets = new long[pagesAlloc];
    }

    boolean full() {
        return count == offsets.length;
    }

    void add(int blockIndex, RamBlock block, long offset) {
        this.block = blockIndex;
        this.ram = block;
        offsets[count++] = offset;
    }

    void clear() {
        count = 0;
        block = -1;
        ram = null;
    }
}
