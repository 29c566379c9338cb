package dev.tern.core.stream;

import java.lang.foreign.MemorySegment;

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
        long end = offset + length;
        for (long at = offset; at < end; at += CHUNK) {
            long n = Math.min(CHUNK, end - at);
            if (MemorySegment.mismatch(memory, at, at + n, ZERO, 0, n) != -1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes zeros over a range, without slicing.
     *
     * @param memory the memory
     * @param offset the first byte
     * @param length how many bytes
     */
    static void clear(MemorySegment memory, long offset, long length) {
        long end = offset + length;
        for (long at = offset; at < end; at += CHUNK) {
            long n = Math.min(CHUNK, end - at);
            MemorySegment.copy(ZERO, 0, memory, at, n);
        }
    }
}
