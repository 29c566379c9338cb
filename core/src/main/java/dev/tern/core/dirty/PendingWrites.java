package dev.tern.core.dirty;

import java.lang.foreign.MemorySegment;

/**
 * The migration thread's holding area for one block's reported pages: the ring is shared by all
 * blocks but the engine drains one block at a time, so a drain empties the whole ring into these
 * and then hands over only the requested block's bits.
 *
 * <p>Page {@code p} is bit {@code p % 64} of word {@code p / 64}, as in {@link BitmapWords}; the
 * words are a {@code long[]} in native order, converted to the little-endian layout when they
 * move into the engine's bitmap. Owned by the draining thread: plain loads and stores. It
 * remembers the span of words that may hold bits, so handing over a block nobody wrote costs
 * nothing instead of a scan.
 */
final class PendingWrites {
    private final long[] words;
    private final long pages;
    /** Words in {@code [low, high)} may be non-zero; all others are zero. Empty when low >= high. */
    private int lowWord = Integer.MAX_VALUE;
    private int highWord;

    /**
     * An empty holding bitmap.
     *
     * @param pages the block's page count
     * @throws IllegalArgumentException if the pages do not fit a heap bitmap
     */
    PendingWrites(long pages) {
        BitmapWords.checkPageCount(pages);
        long count = BitmapWords.wordsFor(pages);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(pages + " pages do not fit a heap bitmap");
        }
        this.words = new long[(int) count];
        this.pages = pages;
    }

    /**
     * The number of pages covered.
     *
     * @return the block's page count
     */
    long pages() {
        return pages;
    }

    /**
     * Sets a run of pages: whole words at once, masked at both ends.
     *
     * @param first the first page
     * @param count the number of pages, at least 1, with {@code first + count <= pages}
     */
    void setRange(long first, long count) {
        long[] local = words;
        long last = first + count - 1;
        int firstWord = (int) (first >>> 6);
        int lastWord = (int) (last >>> 6);
        // -1L << first keeps bits first%64..63; -1L >>> (63 - last%64) keeps bits 0..last%64.
        long headMask = -1L << first;
        long tailMask = -1L >>> (63 - (last & 63));
        if (firstWord == lastWord) {
            local[firstWord] |= headMask & tailMask;
        } else {
            local[firstWord] |= headMask;
            for (int w = firstWord + 1; w < lastWord; w++) {
                local[w] = -1L;
            }
            local[lastWord] |= tailMask;
        }
        lowWord = Math.min(lowWord, firstWord);
        highWord = Math.max(highWord, lastWord + 1);
    }

    /**
     * ORs bits into one word.
     *
     * @param word the word index
     * @param bits the bits, in this bitmap's layout
     */
    void orWord(int word, long bits) {
        if (bits != 0) {
            words[word] |= bits;
            lowWord = Math.min(lowWord, word);
            highWord = Math.max(highWord, word + 1);
        }
    }

    /**
     * Moves the pages below {@code limit} into {@code target} (OR) and clears them here; pages
     * at or above it stay for a later call.
     *
     * @param target little-endian words, at least {@code ceil(limit / 64) * 8} bytes
     * @param limit the number of pages {@code target} stands for, at most {@link #pages}
     * @return the number of pages that were not yet set in {@code target}
     */
    long moveInto(MemorySegment target, long limit) {
        if (lowWord >= highWord) {
            return 0;
        }
        long[] local = words;
        int fullWords = (int) (limit >>> 6);
        long moved = 0;
        for (int w = lowWord, end = Math.min(highWord, fullWords); w < end; w++) {
            long bits = local[w];
            if (bits != 0) {
                local[w] = 0;
                moved += orInto(target, w, bits);
            }
        }
        int tailPages = (int) (limit & 63);
        if (tailPages != 0 && fullWords >= lowWord && fullWords < highWord) {
            long bits = local[fullWords] & ((1L << tailPages) - 1);
            if (bits != 0) {
                local[fullWords] &= ~bits;
                moved += orInto(target, fullWords, bits);
            }
        }
        // Every word below fullWords is clear now; the partial word and beyond may not be.
        lowWord = Math.max(lowWord, fullWords);
        if (lowWord >= highWord) {
            lowWord = Integer.MAX_VALUE;
            highWord = 0;
        }
        return moved;
    }

    private static long orInto(MemorySegment target, int word, long bits) {
        long offset = (long) word << 3;
        long old = target.get(BitmapWords.UNALIGNED_WORD, offset);
        target.set(BitmapWords.UNALIGNED_WORD, offset, old | bits);
        return Long.bitCount(bits & ~old);
    }
}
