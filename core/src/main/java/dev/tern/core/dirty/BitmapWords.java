package dev.tern.core.dirty;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layout shared by every dirty bitmap in Tern, the one {@link dev.tern.api.guest.DirtyLog}
 * and KVM's {@code KVM_GET_DIRTY_LOG} use:
 *
 * <pre>
 *   byte offset   0        8        16
 *                 +--------+--------+-----
 *                 | word 0 | word 1 | ...     64-bit little-endian words
 *                 +--------+--------+-----
 *   page p  =  bit (p % 64) of word (p / 64), i.e. (word &gt;&gt;&gt; (p &amp; 63)) &amp; 1
 * </pre>
 *
 * Bits at or beyond the page count in the last word are always clear.
 */
final class BitmapWords {
    /** A word of a bitmap the owner allocated itself, 8-byte aligned: atomic access is allowed. */
    static final ValueLayout.OfLong ALIGNED_WORD = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A word of a bitmap someone else handed in, whose alignment is not ours to demand. */
    static final ValueLayout.OfLong UNALIGNED_WORD =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BitmapWords() {
    }

    /**
     * Words needed for a number of pages.
     *
     * @param pages the page count, at least 0
     * @return {@code ceil(pages / 64)}
     */
    static long wordsFor(long pages) {
        return (pages + 63) >>> 6;
    }

    /**
     * Bytes needed for a number of pages.
     *
     * @param pages the page count, at least 0
     * @return {@code ceil(pages / 64) * 8}
     */
    static long bytesFor(long pages) {
        return wordsFor(pages) << 3;
    }

    /**
     * The bits of the last word that stand for real pages.
     *
     * @param pages the page count, at least 1
     * @return a mask with the low {@code pages % 64} bits set, or all bits when that is 0
     */
    static long lastWordMask(long pages) {
        int used = (int) (pages & 63);
        return used == 0 ? -1L : (1L << used) - 1;
    }

    /**
     * Checks a page count.
     *
     * @param pages the page count
     * @throws IllegalArgumentException if negative
     */
    static void checkPageCount(long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("page count " + pages + " is negative");
        }
    }

    /**
     * Checks that a segment can hold a bitmap.
     *
     * @param words the segment
     * @param pages the page count
     * @param what the segment's name in the message
     * @throws IllegalArgumentException if the segment is too small
     */
    static void checkCapacity(MemorySegment words, long pages, String what) {
        long needed = bytesFor(pages);
        if (words.byteSize() < needed) {
            throw new IllegalArgumentException(what + " of " + words.byteSize() + " bytes is too small for "
                    + pages + " pages (needs " + needed + ")");
        }
    }

    /**
     * Checks a page number.
     *
     * @param page the page
     * @param pages the page count
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    static void checkPage(long page, long pages) {
        if (page < 0 || page >= pages) {
            throw new IndexOutOfBoundsException("page " + page + " outside a bitmap of " + pages + " pages");
        }
    }

    /**
     * Checks a {@code nextSetBit} start and says whether the search can find anything.
     *
     * @param from the first page to look at
     * @param pages the page count
     * @return true if {@code from < pages}
     */
    static boolean searchable(long from, long pages) {
        if (from < 0) {
            throw new IndexOutOfBoundsException("page " + from + " is negative");
        }
        return from < pages;
    }
}
