package dev.tern.core.stream;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Direct {@link ByteBuffer} views ("windows") over one RAM block, made once so that moving a page
 * between guest memory and the channel allocates nothing: {@link MemorySegment#asByteBuffer()}
 * allocates, and a {@code ByteBuffer} is int-indexed, so the block is cut into windows of at most
 * 1 GiB and a page is framed by setting position and limit on its window.
 *
 * <p>The windows cover {@code [0, length)} of the block and nothing else, so a page framed here
 * can never reach memory outside the block. A page must not cross a window boundary, which
 * holds for any page size up to the window size when offsets are page aligned. The buffers are
 * stateful: one thread owns a {@code BlockWindows}.
 */
public final class BlockWindows {
    /** The largest window: 1 GiB, a power of two and a multiple of every page size Tern uses. */
    public static final long MAX_WINDOW = 1L << 30;

    private final ByteBuffer[] windows;
    // Per window, views for the pages a batch (a StreamWriter batch, a multifd packet) holds at
    // once; made on first use.
    private final ByteBuffer[][] slots;
    private final int slotsPerWindow;
    private final int shift;
    private final long mask;
    private final long length;

    /**
     * Windows of {@link #MAX_WINDOW} over the first {@code length} bytes of a segment.
     *
     * @param memory the block's memory
     * @param length the block's used length, at most the segment's size
     */
    public BlockWindows(MemorySegment memory, long length) {
        this(memory, length, MAX_WINDOW);
    }

    /**
     * Windows of a chosen size (tests use small ones to cross boundaries).
     *
     * @param memory the block's memory
     * @param length the block's used length, at most the segment's size
     * @param windowSize a power of two, at most {@link #MAX_WINDOW}
     */
    public BlockWindows(MemorySegment memory, long length, long windowSize) {
        this(memory, length, windowSize, StreamWriter.MAX_QUEUED_PAGES);
    }

    /**
     * Windows of {@link #MAX_WINDOW} with {@code slots} page views each, for batches of up to
     * that many pages (a multifd packet holds 128).
     *
     * @param memory the block's memory
     * @param length the block's used length, at most the segment's size
     * @param slots page views per window, at least 1
     * @return the windows
     */
    public static BlockWindows withSlots(MemorySegment memory, long length, int slots) {
        return new BlockWindows(memory, length, MAX_WINDOW, slots);
    }

    private BlockWindows(MemorySegment memory, long length, long windowSize, int slotsPerWindow) {
        Objects.requireNonNull(memory, "memory");
        if (slotsPerWindow < 1) {
            throw new IllegalArgumentException("slots " + slotsPerWindow + " per window is not positive");
        }
        if (length < 0 || length > memory.byteSize()) {
            throw new IllegalArgumentException("length " + length + " outside a segment of " + memory.byteSize()
                    + " bytes");
        }
        if (windowSize <= 0 || windowSize > MAX_WINDOW || Long.bitCount(windowSize) != 1) {
            throw new IllegalArgumentException("window size " + windowSize + " is not a power of two up to 1 GiB");
        }
        this.length = length;
        this.slotsPerWindow = slotsPerWindow;
        this.shift = Long.numberOfTrailingZeros(windowSize);
        this.mask = windowSize - 1;
        int count = (int) ((length + mask) >>> shift);
        this.windows = new ByteBuffer[count];
        this.slots = new ByteBuffer[count][];
        for (int i = 0; i < count; i++) {
            long start = (long) i << shift;
            windows[i] = memory.asSlice(start, Math.min(windowSize, length - start)).asByteBuffer();
        }
    }

    /**
     * Frames a page: the window holding it, positioned at the page's first byte with its limit
     * after the last. The same buffer is returned for every page of a window; it stays valid until
     * the next call for that window.
     *
     * @param offset the page's offset within the block
     * @param size the page size
     * @return the framed window
     * @throws IndexOutOfBoundsException if the page is not inside the block
     * @throws IllegalArgumentException if the page crosses a window boundary
     */
    public ByteBuffer page(long offset, int size) {
        Objects.checkFromIndexSize(offset, size, length);
        ByteBuffer w = windows[(int) (offset >>> shift)];
        int start = (int) (offset & mask);
        int end = start + size;
        if (end > w.capacity()) {
            throw new IllegalArgumentException("page at " + offset + " of " + size + " bytes crosses a window");
        }
        // Limit before position: position(start) would fail if start were beyond the old limit.
        w.limit(end);
        w.position(start);
        return w;
    }

    /**
     * A view of a page that stays framed until slot {@code slot} is asked for again: what a
     * batch of queued pages needs (the views of one batch use different slots).
     *
     * @param offset the page's offset
     * @param size the page's size
     * @param slot 0 to the slots per window - 1 ({@link StreamWriter#MAX_QUEUED_PAGES} unless made {@link #withSlots})
     * @return the view, positioned on the page
     */
    public ByteBuffer view(long offset, int size, int slot) {
        Objects.checkFromIndexSize(offset, size, length);
        int index = (int) (offset >>> shift);
        ByteBuffer[] views = slots[index];
        if (views == null) {
            views = new ByteBuffer[slotsPerWindow];
            for (int i = 0; i < views.length; i++) {
                views[i] = windows[index].duplicate();
            }
            slots[index] = views;
        }
        ByteBuffer v = views[slot];
        int start = (int) (offset & mask);
        int end = start + size;
        if (end > v.capacity()) {
            throw new IllegalArgumentException("page at " + offset + " of " + size + " bytes crosses a window");
        }
        v.limit(end);
        v.position(start);
        return v;
    }

    /**
     * The bytes covered.
     *
     * @return the block's used length at construction
     */
    public long length() {
        return length;
    }
}
