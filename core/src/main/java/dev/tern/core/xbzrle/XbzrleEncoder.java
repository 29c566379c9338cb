package dev.tern.core.xbzrle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Delta-encodes a page against its previous version (QEMU 7.2 {@code xbzrle_encode_buffer},
 * spec §7.2), byte for byte as QEMU does: maximal equal and changed runs, the trailing equal run
 * dropped, and the overflow checks exactly where QEMU makes them — two spare bytes before each
 * run header and room for the data before copying a changed run. The format is in
 * {@link XbzrleDescriptor}.
 *
 * <p>Equal runs are scanned a little-endian word at a time: the lowest set bit of
 * {@code old ^ new} is the first differing byte. A run still going after a few words is handed to
 * {@link MemorySegment#mismatch}, which the JDK vectorises, so an unchanged page costs one
 * intrinsic call. Changed runs are scanned a word at a time with the "word has a zero byte" test
 * on {@code old ^ new}, whose lowest set bit is exactly the first equal byte (its false positives
 * lie only above a true zero byte). QEMU aligns its word loop to the end of the page; where the
 * words fall does not change maximal runs, so the output is the same. Nothing is allocated and no
 * page is copied to the heap.
 */
public final class XbzrleEncoder {
    /** Returned for a page identical to its previous version: nothing is to be sent. */
    public static final int UNCHANGED = 0;
    /** Returned when the encoding does not fit the destination: send the page in full. */
    public static final int OVERFLOW = -1;

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    /**
     * Equal words compared inline before an equal run goes to {@link MemorySegment#mismatch}:
     * scattered changes leave short equal runs, where the intrinsic's fixed cost would dominate.
     */
    private static final int INLINE_EQUAL_WORDS = 4;
    /** Room QEMU demands before each run header: the longest ULEB. */
    private static final int HEADER_ROOM = XbzrleDescriptor.MAX_ULEB_LENGTH;

    private XbzrleEncoder() {
    }

    /**
     * Encodes a page whose old and new versions start at offset 0 of their segments
     * ({@code xbzrle_encode_buffer(old, new, length, dst, dstCapacity)}).
     *
     * @param oldPage the previous version (the cached copy)
     * @param newPage the current version
     * @param length the page length, 0 .. {@link XbzrleDescriptor#MAX_PAGE_LENGTH}
     * @param dst where the encoding goes, from offset 0; must not overlap either page
     * @param dstCapacity bytes the encoding may take (QEMU passes the target page size)
     * @return the encoded length, {@link #UNCHANGED} (0) for an identical page, or
     *     {@link #OVERFLOW} (-1) when it does not fit; bytes of {@code dst} past the encoded
     *     length, up to {@code dstCapacity}, may have been overwritten
     * @throws IllegalArgumentException if {@code length} is outside 0 ..
     *     {@link XbzrleDescriptor#MAX_PAGE_LENGTH} or {@code dstCapacity} is negative
     * @throws IndexOutOfBoundsException if a page or the destination is shorter than stated
     */
    public static int encode(MemorySegment oldPage, MemorySegment newPage, int length, MemorySegment dst,
            int dstCapacity) {
        return encode(oldPage, 0, newPage, 0, length, dst, 0, dstCapacity);
    }

    /**
     * Encodes a page found at an offset of larger memory (a cache slot, a guest RAM block), so the
     * caller need not slice.
     *
     * @param oldMemory memory holding the previous version
     * @param oldOffset where it starts
     * @param newMemory memory holding the current version
     * @param newOffset where it starts
     * @param length the page length, 0 .. {@link XbzrleDescriptor#MAX_PAGE_LENGTH}
     * @param dst where the encoding goes; must not overlap either page
     * @param dstOffset where in {@code dst} it starts
     * @param dstCapacity bytes the encoding may take
     * @return the encoded length, {@link #UNCHANGED} or {@link #OVERFLOW}, as
     *     {@link #encode(MemorySegment, MemorySegment, int, MemorySegment, int)}
     * @throws IllegalArgumentException if {@code length} is outside 0 ..
     *     {@link XbzrleDescriptor#MAX_PAGE_LENGTH} or {@code dstCapacity} is negative
     * @throws IndexOutOfBoundsException if a range lies outside its segment
     */
    public static int encode(MemorySegment oldMemory, long oldOffset, MemorySegment newMemory, long newOffset,
            int length, MemorySegment dst, long dstOffset, int dstCapacity) {
        if (length < 0 || length > XbzrleDescriptor.MAX_PAGE_LENGTH) {
            throw new IllegalArgumentException("XBZRLE page length " + length + " is outside 0.."
                    + XbzrleDescriptor.MAX_PAGE_LENGTH);
        }
        if (dstCapacity < 0) {
            throw new IllegalArgumentException("negative XBZRLE destination capacity " + dstCapacity);
        }
        Objects.checkFromIndexSize(oldOffset, length, oldMemory.byteSize());
        Objects.checkFromIndexSize(newOffset, length, newMemory.byteSize());
        Objects.checkFromIndexSize(dstOffset, dstCapacity, dst.byteSize());

        int d = 0;
        int i = 0;
        while (i < length) {
            if (d + HEADER_ROOM > dstCapacity) {
                return OVERFLOW;
            }
            int end = equalRunEnd(oldMemory, oldOffset, newMemory, newOffset, i, length);
            if (end == length) {
                // Either the whole page is equal (d is still 0) or this is the trailing equal run.
                return d;
            }
            d += putUleb(dst, dstOffset + d, end - i);
            i = end;

            if (d + HEADER_ROOM > dstCapacity) {
                return OVERFLOW;
            }
            end = differingRunEnd(oldMemory, oldOffset, newMemory, newOffset, i, length);
            int n = end - i;
            if (n > XbzrleDescriptor.MAX_RUN) {
                // Only a 16 KiB page changed in every byte gets here (QEMU asserts): it cannot be
                // expressed, and would not fit a page-sized destination anyway.
                return OVERFLOW;
            }
            d += putUleb(dst, dstOffset + d, n);
            if (d + n > dstCapacity) {
                return OVERFLOW;
            }
            copyRun(newMemory, newOffset + i, newOffset + length, dst, dstOffset + d, dstOffset + dstCapacity, n);
            d += n;
            i = end;
        }
        return d;
    }

    /** The first offset at or after {@code i} where the pages differ, or {@code length}. */
    private static int equalRunEnd(MemorySegment a, long ao, MemorySegment b, long bo, int i, int length) {
        int words = 0;
        while (i <= length - Long.BYTES) {
            long x = a.get(WORD, ao + i) ^ b.get(WORD, bo + i);
            if (x != 0) {
                return i + (Long.numberOfTrailingZeros(x) >>> 3);
            }
            i += Long.BYTES;
            if (++words == INLINE_EQUAL_WORDS) {
                long m = MemorySegment.mismatch(a, ao + i, ao + length, b, bo + i, bo + length);
                return m < 0 ? length : i + (int) m;
            }
        }
        if (i == length) {
            return length;
        }
        if (length < Long.BYTES) {
            while (i < length && a.get(ValueLayout.JAVA_BYTE, ao + i) == b.get(ValueLayout.JAVA_BYTE, bo + i)) {
                i++;
            }
            return i;
        }
        // Fewer than 8 bytes left: compare the page's last word with the bytes before i shifted out.
        int last = length - Long.BYTES;
        long x = (a.get(WORD, ao + last) ^ b.get(WORD, bo + last)) >>> ((i - last) << 3);
        return x == 0 ? length : i + (Long.numberOfTrailingZeros(x) >>> 3);
    }

    /** The first offset at or after {@code i} where the pages are equal, or {@code length}. */
    private static int differingRunEnd(MemorySegment a, long ao, MemorySegment b, long bo, int i, int length) {
        while (i <= length - Long.BYTES) {
            long x = a.get(WORD, ao + i) ^ b.get(WORD, bo + i);
            long zeroBytes = (x - ONES) & ~x & HIGHS;
            if (zeroBytes != 0) {
                return i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
            i += Long.BYTES;
        }
        if (i == length) {
            return length;
        }
        if (length < Long.BYTES) {
            while (i < length && a.get(ValueLayout.JAVA_BYTE, ao + i) != b.get(ValueLayout.JAVA_BYTE, bo + i)) {
                i++;
            }
            return i;
        }
        // The shift brings in zero bytes past the page's end, so a zero byte is always found.
        int last = length - Long.BYTES;
        long x = (a.get(WORD, ao + last) ^ b.get(WORD, bo + last)) >>> ((i - last) << 3);
        long zeroBytes = (x - ONES) & ~x & HIGHS;
        return Math.min(length, i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3));
    }

    /** A run header; the caller has checked the value and the room. */
    private static int putUleb(MemorySegment dst, long at, int value) {
        if (value < XbzrleDescriptor.CONTINUATION) {
            dst.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            return 1;
        }
        dst.set(ValueLayout.JAVA_BYTE, at, (byte) (value | XbzrleDescriptor.CONTINUATION));
        dst.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (value >>> 7));
        return 2;
    }

    /**
     * Copies a changed run. Short runs, the common case for scattered writes, move as one or two
     * words when both sides have the room: the extra bytes land past the run but inside the
     * destination's capacity, where the next header or run overwrites them or the caller ignores
     * them (they lie past the returned length).
     */
    private static void copyRun(MemorySegment src, long at, long srcEnd, MemorySegment dst, long to, long dstEnd,
            int n) {
        if (n <= 2 * Long.BYTES && at + 2 * Long.BYTES <= srcEnd && to + 2 * Long.BYTES <= dstEnd) {
            dst.set(WORD, to, src.get(WORD, at));
            if (n > Long.BYTES) {
                dst.set(WORD, to + Long.BYTES, src.get(WORD, at + Long.BYTES));
            }
            return;
        }
        MemorySegment.copy(src, at, dst, to, n);
    }
}
