package dev.tern.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Detects all-zero pages (QEMU's {@code buffer_is_zero}): the source sends them as ZERO records,
 * the destination skips writing a zero page over memory that is already zero (spec §8.3), which
 * avoids touching, and so allocating, untouched guest memory.
 *
 * <p>Compares against a static all-zero 4 KiB segment with {@link MemorySegment#mismatch}, which
 * the JDK vectorises; nothing is allocated.
 */
public final class ZeroPages {
    /** Bytes compared per mismatch call. */
    static final int CHUNK = 4096;
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[CHUNK]);
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private ZeroPages() {
    }

    /**
     * Whether every byte of a segment is zero.
     *
     * @param page the page (any length)
     * @return true if all bytes are zero
     */
    public static boolean isZero(MemorySegment page) {
        return isZero(page, 0, page.byteSize());
    }

    /**
     * Whether every byte of a range is zero, without slicing (so without allocating).
     *
     * @param memory the memory
     * @param offset the first byte
     * @param length how many bytes
     * @return true if all bytes are zero
     * @throws IndexOutOfBoundsException if the range is outside the segment
     */
    public static boolean isZero(MemorySegment memory, long offset, long length) {
        if ((length & (Long.BYTES - 1)) != 0) {
            return isZeroBytewise(memory, offset, length);
        }
        // Most non-zero pages differ in their first word: answer those without reading the page.
        if (length == 0 || memory.get(WORD, offset) != 0) {
            return length == 0;
        }
        // An OR over the words, which C2 turns into a vector reduction: about twice the speed of
        // mismatch() on zero pages, the common case of a mostly idle guest.
        long acc = 0;
        for (long at = offset, end = offset + length; at < end; at += Long.BYTES) {
            acc |= memory.get(WORD, at);
        }
        return acc == 0;
    }

    private static boolean isZeroBytewise(MemorySegment memory, long offset, long length) {
        long end = offset + length;
        for (long at = offset; at < end; at += CHUNK) {
            long n = Math.min(CHUNK, end - at);
            if (MemorySegment.mismatch(memory, at, at + n, ZERO, 0, n) != -1) {
                return false;
            }
        }
        return true;
    }

    static void clear(MemorySegment memory, long offset, long length) {
        long end = offset + length;
        for (long at = offset; at < end; at += CHUNK) {
            long n = Math.min(CHUNK, end - at);
            MemorySegment.copy(ZERO, 0, memory, at, n);
        }
    }
}
