package dev.tern.core.multifd.codec;

/**
 * The largest zlib payload a packet can produce. zlib's {@code compressBound(n)} covers one
 * deflate stream of n bytes: its 2-byte header and 4-byte trailer, and 5 bytes of stored-block
 * header per 16 KiB block for data that does not compress. A multifd packet is a piece of a longer
 * stream instead: no trailer, the header only in the first packet, but the packet's
 * {@code Z_SYNC_FLUSH} closes the current block early (up to 5 bytes of stored header for a short
 * block, one byte of bit padding) and appends an empty stored block (4 bytes). The bound adds
 * 8 bytes per page on top of {@code compressBound}, several times what the flush can cost.
 */
final class ZlibBound {
    private ZlibBound() {
    }

    /**
     * The bound.
     *
     * @param pages pages in the packet
     * @param pageSize the target page size
     * @return bytes
     * @throws IllegalArgumentException if the bound does not fit an int
     */
    static int of(int pages, int pageSize) {
        if (pages < 1) {
            throw new IllegalArgumentException("a packet carries at least one page, not " + pages);
        }
        long n = (long) pages * pageSize;
        long bound = n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13 + 8L * pages;
        return Math.toIntExact(bound);
    }
}
