package dev.tern.core.dirty;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A dirty bitmap that any number of threads mark concurrently while one thread drains it: the
 * software equivalent of KVM's per-memslot dirty log. Lock-free; marking allocates nothing and is
 * one atomic OR.
 *
 * <p>Words are 64-bit little-endian, page {@code p} is bit {@code p % 64} of word {@code p / 64}
 * (the layout of {@link dev.tern.api.guest.DirtyLog#syncInto}), so a drain is a word-by-word OR
 * into the engine's bitmap with no translation.
 *
 * <p><b>Why a {@link MemorySegment} and not a {@code long[]}</b>: the segment has the exact
 * layout of the bitmaps it is drained into and compared with (the engine's, KVM's), and the
 * owner decides where it lives and when it dies: the reference guest allocates it in the same
 * shared arena as guest RAM, so closing the guest frees both, and nothing of it sits on the Java
 * heap for the collector to scan or move. Atomic access through a segment {@link VarHandle} is
 * as cheap as through an array element handle once the JIT has hoisted the liveness check.
 *
 * <p><b>Memory ordering</b>, named at each call site: a writer stores to the page and then calls
 * {@link #setRelease}; the drainer takes the word with an acquiring {@code getAndSet}, so when it
 * sees a bit it also sees every store the writer made before marking it. This is what lets a
 * writer mark <em>after</em> writing without losing an update.
 */
public final class AtomicDirtyBitmap {
    private static final VarHandle WORD = BitmapWords.ALIGNED_WORD.varHandle();

    private final MemorySegment words;
    private final long pages;
    private final long wordCount;

    /**
     * A bitmap for {@code pages} pages on the Java heap.
     *
     * @param pages the number of pages, at least 0 and at most {@code 64 * Integer.MAX_VALUE}
     * @throws IllegalArgumentException if {@code pages} is negative or too large for a heap array
     */
    public AtomicDirtyBitmap(long pages) {
        this(MemorySegment.ofArray(new long[Math.toIntExact(BitmapWords.wordsFor(checked(pages)))]), pages);
    }

    /**
     * A bitmap over words the caller allocated (for example in a guest's shared arena). The
     * words are cleared first.
     *
     * @param words at least {@code ceil(pages / 64) * 8} bytes, 8-byte aligned; this bitmap
     *     owns them from now on
     * @param pages the number of pages
     * @throws IllegalArgumentException if {@code pages} is negative, or {@code words} is too small,
     *     read-only or not 8-byte aligned
     */
    public AtomicDirtyBitmap(MemorySegment words, long pages) {
        BitmapWords.checkPageCount(pages);
        BitmapWords.checkCapacity(words, pages, "bitmap segment");
        if (words.isReadOnly()) {
            throw new IllegalArgumentException("bitmap segment is read-only");
        }
        if (words.maxByteAlignment() < Long.BYTES) {
            throw new IllegalArgumentException("bitmap segment is not 8-byte aligned, atomic access needs that");
        }
        this.pages = pages;
        this.wordCount = BitmapWords.wordsFor(pages);
        this.words = words.asSlice(0, wordCount << 3);
        this.words.fill((byte) 0);
    }

    private static long checked(long pages) {
        BitmapWords.checkPageCount(pages);
        if (BitmapWords.wordsFor(pages) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(pages + " pages do not fit a heap bitmap");
        }
        return pages;
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
     * Marks a page dirty. Safe from any number of threads at once; a bit is never lost to a
     * concurrent mark or drain. Release semantics: stores this thread made before the call are
     * visible to a thread that drains the bit.
     *
     * @param page the page, {@code 0 <= page < pages()}
     * @return true if the bit was clear before
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    public boolean setRelease(long page) {
        BitmapWords.checkPage(page, pages);
        long mask = 1L << page;
        long before = (long) WORD.getAndBitwiseOrRelease(words, (page >>> 6) << 3, mask);
        return (before & mask) == 0;
    }

    /**
     * Whether a page is marked. Acquire semantics: if it is, the stores made before marking it
     * are visible to the caller.
     *
     * @param page the page, {@code 0 <= page < pages()}
     * @return true if the page is marked
     * @throws IndexOutOfBoundsException if the page is outside the bitmap
     */
    public boolean getAcquire(long page) {
        BitmapWords.checkPage(page, pages);
        long word = (long) WORD.getAcquire(words, (page >>> 6) << 3);
        return (word & (1L << page)) != 0;
    }

    /**
     * Takes every marked page and ORs it into {@code target}, clearing it here; marks made
     * concurrently land either in this drain or stay for the next one, never in neither. Only
     * one thread may drain at a time; {@code target} is written with plain stores and belongs to
     * the draining thread.
     *
     * @param target little-endian words in this bitmap's layout, at least
     *     {@code ceil(pages() / 64) * 8} bytes; any alignment
     * @return the number of pages taken from this bitmap (whether or not {@code target} had them
     *     already)
     * @throws IllegalArgumentException if {@code target} is too small
     */
    public long drainInto(MemorySegment target) {
        BitmapWords.checkCapacity(target, pages, "target bitmap");
        MemorySegment local = words;
        long moved = 0;
        for (long offset = 0, end = wordCount << 3; offset < end; offset += Long.BYTES) {
            // Opaque look first: most words are clear, and getAndSet on them would take every
            // cache line exclusive, stalling the writers that share it for nothing.
            if ((long) WORD.getOpaque(local, offset) == 0) {
                continue;
            }
            long taken = (long) WORD.getAndSetAcquire(local, offset, 0L);
            moved += Long.bitCount(taken);
            long old = target.get(BitmapWords.UNALIGNED_WORD, offset);
            target.set(BitmapWords.UNALIGNED_WORD, offset, old | taken);
        }
        return moved;
    }

    /**
     * Clears every page, as a drain into nowhere. Marks made concurrently may survive.
     *
     * @return the number of pages cleared
     */
    public long clear() {
        MemorySegment local = words;
        long cleared = 0;
        for (long offset = 0, end = wordCount << 3; offset < end; offset += Long.BYTES) {
            if ((long) WORD.getOpaque(local, offset) != 0) {
                cleared += Long.bitCount((long) WORD.getAndSetAcquire(local, offset, 0L));
            }
        }
        return cleared;
    }

    /**
     * The number of marked pages: exact when nobody marks or drains meanwhile, otherwise a
     * snapshot of each word at some moment (opaque reads).
     *
     * @return the number of marked pages
     */
    public long cardinality() {
        MemorySegment local = words;
        long count = 0;
        for (long offset = 0, end = wordCount << 3; offset < end; offset += Long.BYTES) {
            count += Long.bitCount((long) WORD.getOpaque(local, offset));
        }
        return count;
    }

    /**
     * The first marked page at or after {@code from} (opaque reads, as {@link #cardinality()}).
     *
     * @param from the first page to look at, at least 0; may be {@code pages()} or more
     * @return the page, or -1 if none is marked there
     * @throws IndexOutOfBoundsException if {@code from} is negative
     */
    public long nextSetBit(long from) {
        if (!BitmapWords.searchable(from, pages)) {
            return -1;
        }
        MemorySegment local = words;
        long offset = (from >>> 6) << 3;
        long end = wordCount << 3;
        // The first word is masked so that pages below 'from' do not count.
        long word = (long) WORD.getOpaque(local, offset) & (-1L << from);
        while (true) {
            if (word != 0) {
                return ((offset >>> 3) << 6) + Long.numberOfTrailingZeros(word);
            }
            offset += Long.BYTES;
            if (offset >= end) {
                return -1;
            }
            word = (long) WORD.getOpaque(local, offset);
        }
    }
}
