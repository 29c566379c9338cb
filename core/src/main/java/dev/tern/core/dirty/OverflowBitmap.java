package dev.tern.core.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where {@link VmmWriteLog} puts a report when its ring is full: one block's atomic bitmap, the
 * whole of the log's mechanism before the ring (an atomic OR per word on a {@code long[]}), plus
 * a flag that spares the drainer a scan when no report overflowed since the last drain.
 *
 * <p><b>The flag protocol.</b> A reporter ORs its bits and then reads the flag, setting it only if
 * it is clear; the drainer clears the flag and then reads the words. Every one of these accesses
 * is volatile, so they fall into one total order consistent with each thread's program order
 * (Dekker's pattern): either the drainer's clear comes after the reporter's flag read, and then
 * its reads of the words come after the reporter's OR and see the bits; or it comes before, and
 * then the reporter finds the flag clear, sets it, and the next drain scans. A reporter skips the
 * flag store when the flag is already set, so a ring that stays full (no migration running)
 * costs no extra store per report. On x86 the volatile loads are plain loads and the OR is the
 * same locked instruction a release OR would be.
 */
final class OverflowBitmap {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle MARKED;

    static {
        try {
            MARKED = MethodHandles.lookup().findVarHandle(OverflowBitmap.class, "marked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] words;
    /** Set after bits were ORed in since the drainer last cleared it. */
    private volatile boolean marked;

    /**
     * An empty bitmap.
     *
     * @param pages the block's page count
     * @throws IllegalArgumentException if the pages do not fit a heap bitmap
     */
    OverflowBitmap(long pages) {
        BitmapWords.checkPageCount(pages);
        long count = BitmapWords.wordsFor(pages);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(pages + " pages do not fit a heap bitmap");
        }
        this.words = new long[(int) count];
    }

    /**
     * Marks a run of pages, from any thread: one atomic OR per word the run touches.
     *
     * @param first the first page
     * @param count the number of pages, at least 1, inside the bitmap
     */
    void markRange(long first, long count) {
        long[] local = words;
        long last = first + count - 1;
        int firstWord = (int) (first >>> 6);
        int lastWord = (int) (last >>> 6);
        long headMask = -1L << first;
        long tailMask = -1L >>> (63 - (last & 63));
        if (firstWord == lastWord) {
            WORDS.getAndBitwiseOr(local, firstWord, headMask & tailMask);
        } else {
            WORDS.getAndBitwiseOr(local, firstWord, headMask);
            for (int w = firstWord + 1; w < lastWord; w++) {
                WORDS.getAndBitwiseOr(local, w, -1L);
            }
            WORDS.getAndBitwiseOr(local, lastWord, tailMask);
        }
        // Read first: while the ring stays full every report comes here, and a store each time
        // would bounce the flag's cache line between reporters.
        if (!marked) {
            marked = true;
        }
    }

    /**
     * Moves every marked page into {@code pending} and clears it here; pages marked meanwhile
     * land in this drain or the next. One drainer at a time.
     *
     * @param pending the block's pending bitmap, owned by the calling thread
     * @return true if the flag was set, so the words were scanned
     */
    boolean drainInto(PendingWrites pending) {
        if (!marked || !(boolean) MARKED.getAndSet(this, false)) {
            return false;
        }
        long[] local = words;
        for (int i = 0; i < local.length; i++) {
            // A plain-cost look first: getAndSet on a clear word would take its cache line
            // exclusive and stall the reporters that share it for nothing.
            if ((long) WORDS.getVolatile(local, i) != 0) {
                pending.orWord(i, (long) WORDS.getAndSet(local, i, 0L));
            }
        }
        return true;
    }

    /**
     * Whether a report overflowed since the last drain.
     *
     * @return the flag
     */
    boolean marked() {
        return marked;
    }
}
