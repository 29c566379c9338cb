package dev.tern.core.xbzrle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies one changed run: into the encoding on the source, onto the page on the destination.
 * Most runs are a few bytes long, where a bulk copy's setup costs more than the copy, so runs of
 * up to 32 bytes move as two to four overlapping loads and stores of the widest size that fits
 * (every byte written is a byte of the run, nothing past it is touched), and longer runs go to
 * {@link MemorySegment#copy}.
 */
final class RunCopy {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int WIDE = 32;

    private RunCopy() {
    }

    /**
     * Copies {@code n > 0} bytes; the ranges must not overlap.
     *
     * @param src where the run is
     * @param at its first byte
     * @param dst where it goes
     * @param to the first byte written
     * @param n the run's length
     */
    static void copy(MemorySegment src, long at, MemorySegment dst, long to, int n) {
        if (n >= Long.BYTES) {
            if (n > WIDE) {
                MemorySegment.copy(src, at, dst, to, n);
                return;
            }
            long tail = n - Long.BYTES;
            if (n > 2 * Long.BYTES) {
                long beforeTail = tail - Long.BYTES;
                dst.set(LONG, to + Long.BYTES, src.get(LONG, at + Long.BYTES));
                dst.set(LONG, to + beforeTail, src.get(LONG, at + beforeTail));
            }
            dst.set(LONG, to, src.get(LONG, at));
            dst.set(LONG, to + tail, src.get(LONG, at + tail));
        } else if (n >= Integer.BYTES) {
            dst.set(INT, to, src.get(INT, at));
            dst.set(INT, to + n - Integer.BYTES, src.get(INT, at + n - Integer.BYTES));
        } else if (n >= Short.BYTES) {
            dst.set(SHORT, to, src.get(SHORT, at));
            dst.set(SHORT, to + n - Short.BYTES, src.get(SHORT, at + n - Short.BYTES));
        } else {
            dst.set(ValueLayout.JAVA_BYTE, to, src.get(ValueLayout.JAVA_BYTE, at));
        }
    }
}
