package dev.tern.core.multifd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Direct {@link ByteBuffer} views of the pages of one RAM block for one multifd channel: one
 * view per packet slot and per 1 GiB window, made once and then re-framed, so moving a packet
 * of pages between guest memory and the socket allocates nothing and copies nothing. A channel
 * owns its views (a buffer's position and limit are state), so channels never share one.
 */
final class PageViews {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW_MASK = (1L << WINDOW_SHIFT) - 1;

    private final ByteBuffer[][] views;
    private final long length;

    /**
     * Views over {@code [0, length)} of a block.
     *
     * @param memory the block's memory
     * @param length its used length
     * @param slots pages per packet
     */
    PageViews(MemorySegment memory, long length, int slots) {
        Objects.requireNonNull(memory, "memory");
        this.length = length;
        int windows = (int) ((length + WINDOW_MASK) >>> WINDOW_SHIFT);
        this.views = new ByteBuffer[windows][slots];
        for (int w = 0; w < windows; w++) {
            long start = (long) w << WINDOW_SHIFT;
            ByteBuffer window = memory.asSlice(start, Math.min(1L << WINDOW_SHIFT, length - start)).asByteBuffer();
            for (int s = 0; s < slots; s++) {
                views[w][s] = window.duplicate();
            }
        }
    }

    /**
     * Frames the view of slot {@code slot} on a page.
     *
     * @param offset the page's offset, page aligned
     * @param size the page size
     * @param slot the page's index in its packet
     * @return the view, position at the page, limit after it
     * @throws IndexOutOfBoundsException if the page is not inside the block
     */
    ByteBuffer view(long offset, int size, int slot) {
        Objects.checkFromIndexSize(offset, size, length);
        ByteBuffer v = views[(int) (offset >>> WINDOW_SHIFT)][slot];
        int start = (int) (offset & WINDOW_MASK);
        v.limit(start + size);
        v.position(start);
        return v;
    }

    /**
     * The bytes covered.
     *
     * @return the used length at construction
     */
    long length() {
        return length;
    }
}
