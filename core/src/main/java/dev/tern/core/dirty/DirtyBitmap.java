package dev.tern.core.dirty;

import java.lang.foreign.MemorySegment;

/**
 * A single-threaded page bitmap: the engine's per-block record of pages still to send (QEMU's
 * {@code RAMBlock.bmap}). A {@link dev.tern.api.guest.DirtyLog} ORs into {@link #words()}
 * directly, and the sender walks it with {@link #nextSetBit} and {@link #testAndClear}.
 *
 * <p>Layout as {@link AtomicDirtyBitmap}: 64-bit little-endian words, page {@code p} is bit
 * {@code p % 64} of word {@code p / 64}. Scans go a word at a time with
 * {@link Long#numberOfTrailingZeros}, so a clean stretch of 64 pages costs one load.
 *
 * <p>Not thread-safe: one thread owns it (the migration thread), and a dirty log writes into it
 * only from inside that thread's {@code syncInto} call.
 */
public final class DirtyBitmap {
    private final MemorySegment words;
    private final long pages;
    private final long wordCount;

    /**
     * An all-clear bitmap for {@code pages} pages on the Java heap.
     *
     * @param pages the number of pages, at least 0 and at most {@code 64 * Integer.MAX_VALUE}
     * @throws IllegalArgumentException if {@code pages} is negative or too large for a heap array
     */
    public DirtyBitmap(long pages) {
        this(MemorySegment.ofArray(new long[heapWords(pages)]), pages);
    }

    /**
     * A bitmap over words the caller allocated; they are cleared first.
     *
     * @param words at least {@code ceil(pages / 64) * 8} writable bytes, any alignment
     * @param pages the number of pages
     * @throws IllegalArgumentException if {@code pages} is negative or {@code words} is too small
     *     or read-only
     */
    public DirtyBitmap(MemorySegment words, long pages) {
        BitmapWords.checkPageCount(pages);
        BitmapWords.checkCapacity(words, pages, "bitmap segment");
        if (words.isReadOnly()) {
            throw new IllegalArgumentException("bitmap segment is read-only");
        }
        this.pages = pages;
        this.wordCount = BitmapWords.wordsFor(pages);
        this.words = words.asSlice(0, wordCount << 3);
        this.words.fill((byte) 0);
    }

    private static int heapWords(long pages) {
        BitmapWords.checkPageCount(pages);
        long count = BitmapWords.wordsFor(pages);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(pages + " pages do not fit a heap bitmap");
        }
        return (int) count;
    }

    /**
     * The number of pages the bitmap covers.
     *
     * @return the page count
     */
    public long pages() {
        return pages;
    }

    /**
     * The words themselves, {@code ceil(pages() / 64) * 8} bytes, for a
     * {@link dev.tern.api.guest.DirtyLog#syncInto} to OR into. Whoever writes them must leave
     * the bits past {@link #pages()} clear.
     *
     * @return a view of the words (not a copy)
     */
    public MemorySegment words() {
        return words;
    }

    /**
     * Whether a page is set.
     *
     * @param page the page, {@code 0 <= page < pages()}
     * @return true if set
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    public boolean get(long page) {
        BitmapWords.checkPage(page, pages);
        return (word(page) & (1L << page)) != 0;
    }

    /**
     * Sets a page.
     *
     * @param page the page, {@code 0 <= page < pages()}
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    public void set(long page) {
        BitmapWords.checkPage(page, pages);
        long offset = (page >>> 6) << 3;
        words.set(BitmapWords.UNALIGNED_WORD, offset, words.get(BitmapWords.UNALIGNED_WORD, offset) | (1L << page));
    }

    /**
     * Clears a page and says whether it was set: the sender's "take this page" step
     * (QEMU's {@code migration_bitmap_clear_dirty}).
     *
     * @param page the page, {@code 0 <= page < pages()}
     * @return true if the page was set
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    public boolean testAndClear(long page) {
        BitmapWords.checkPage(page, pages);
        long offset = (page >>> 6) << 3;
        long word = words.get(BitmapWords.UNALIGNED_WORD, offset);
        long mask = 1L << page;
        if ((word & mask) == 0) {
            return false;
        }
        words.set(BitmapWords.UNALIGNED_WORD, offset, word & ~mask);
        return true;
    }

    /** Sets every page (the bitmap at migration setup: everything must be sent once). */
    public void setAll() {
        if (wordCount == 0) {
            return;
        }
        MemorySegment local = words;
        long last = (wordCount - 1) << 3;
        for (long offset = 0; offset < last; offset += Long.BYTES) {
            local.set(BitmapWords.UNALIGNED_WORD, offset, -1L);
        }
        // Bits past the last page stay clear, or count() and nextSetBit() would report them.
        local.set(BitmapWords.UNALIGNED_WORD, last, BitmapWords.lastWordMask(pages));
    }

    /** Clears every page. */
    public void clearAll() {
        words.fill((byte) 0);
    }

    /**
     * The number of set pages. Scans every word: O(pages / 64).
     *
     * @return the number of set pages
     */
    public long count() {
        MemorySegment local = words;
        long count = 0;
        for (long offset = 0, end = wordCount << 3; offset < end; offset += Long.BYTES) {
            count += Long.bitCount(local.get(BitmapWords.UNALIGNED_WORD, offset));
        }
        return count;
    }

    /**
     * The first set page at or after {@code from}.
     *
     * @param from the first page to look at, at least 0; may be {@code pages()} or more
     * @return the page, or -1 if none is set there
     * @throws IndexOutOfBoundsException if {@code from} is negative
     */
    public long nextSetBit(long from) {
        if (!BitmapWords.searchable(from, pages)) {
            return -1;
        }
        MemorySegment local = words;
        long offset = (from >>> 6) << 3;
        long end = wordCount << 3;
        long word = local.get(BitmapWords.UNALIGNED_WORD, offset) & (-1L << from);
        while (true) {
            if (word != 0) {
                return ((offset >>> 3) << 6) + Long.numberOfTrailingZeros(word);
            }
            offset += Long.BYTES;
            if (offset >= end) {
                return -1;
            }
            word = local.get(BitmapWords.UNALIGNED_WORD, offset);
        }
    }

    private long word(long page) {
        return words.get(BitmapWords.UNALIGNED_WORD, (page >>> 6) << 3);
    }
}
