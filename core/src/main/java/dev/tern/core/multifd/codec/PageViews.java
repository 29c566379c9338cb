package dev.tern.core.multifd.codec;

import java.nio.ByteBuffer;

/**
 * The argument rules every codec checks before touching a packet: a page view frames exactly one
 * target page, so neither the library nor the copy can read or write past it.
 */
final class PageViews {
    private PageViews() {
    }

    /**
     * Checks the packet's page count against the array.
     *
     * @param pages the views
     * @param count the packet's pages
     * @throws IllegalArgumentException if count is not within 1..pages.length
     */
    static void requireCount(ByteBuffer[] pages, int count) {
        if (count < 1 || count > pages.length) {
            throw new IllegalArgumentException("a packet carries 1.." + pages.length + " pages, not " + count);
        }
    }

    /**
     * Checks one view.
     *
     * @param page the view
     * @param pageSize the target page size
     * @param direct whether the library needs a direct buffer
     * @throws IllegalArgumentException if the view frames another size or is not direct as needed
     */
    static void requirePage(ByteBuffer page, int pageSize, boolean direct) {
        if (page.remaining() != pageSize) {
            throw new IllegalArgumentException("a page view frames " + page.remaining() + " bytes, not " + pageSize);
        }
        if (direct && !page.isDirect()) {
            throw new IllegalArgumentException("zstd reads and writes pages in place: the page view must be direct");
        }
    }

    /**
     * Checks the page size a codec is made for.
     *
     * @param pageSize the target page size
     * @throws IllegalArgumentException unless a power of two from 512 to 64 KiB
     */
    static void requirePageSize(int pageSize) {
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("target page size " + pageSize + " is not a power of two in 512..65536");
        }
    }
}
