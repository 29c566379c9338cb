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
 * <p>The page is compared 64 bytes at a time: eight little-endian words of {@code old ^ new}
 * become a 64-bit difference mask (a per-byte "is non-zero" test, gathered by a multiply), and
 * every run boundary inside the block is then one {@link Long#numberOfTrailingZeros} of the mask
 * or of its complement. Scattered writes make many short runs with random lengths; finding them
 * in a mask costs no mispredicted branch per run, where a byte or word loop pays one or two. An
 * equal run that outlasts two blocks (an unchanged page, sparse writes) is handed to
 * {@link MemorySegment#mismatch}, which the JDK vectorises. QEMU scans by bytes and words
 * aligned to the page end; runs are maximal either way, so the output is the same. Nothing is
 * allocated and no page is copied to the heap.
 */
public final class XbzrleEncoder {
    /** Returned for a page identical to its previous version: nothing is to be sent. */
    public static final int UNCHANGED = 0;
    /** Returned when the encoding does not fit the destination: send the page in full. */
    public static final int OVERFLOW = -1;

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    private static final long HIGHS = 0x8080808080808080L;
    /** Multiplier that moves bit 8k to bit 56 + k. */
    private static final long GATHER = 0x0102040810204080L;
    /** Bytes per difference mask: one bit each in a long. */
    private static final int BLOCK = Long.SIZE;
    /**
     * Unchanged blocks scanned by mask before the rest of an equal run goes to
     * {@link MemorySegment#mismatch}: short equal runs between scattered writes are cheaper by
     * mask than by the intrinsic's fixed cost.
     */
    private static final int EMPTY_BLOCKS_BEFORE_MISMATCH = 2;
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
     *     {@link #OVERFLOW} (-1) when it does not fit (the destination then holds a partial
     *     encoding)
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
        // The block of BLOCK page bytes whose difference mask is loaded: bit k of mask is set when
        // byte block + k differs; bits at or past the page end are clear.
        int block = -BLOCK;
        long mask = 0;
        while (i < length) {
            if (d + HEADER_ROOM > dstCapacity) {
                return OVERFLOW;
            }

            // Equal run: the first differing byte at or after i.
            int end;
            int p = i;
            int emptyBlocks = 0;
            for (;;) {
                if (p - block >= BLOCK) {
                    if (p >= length) {
                        end = length;
                        break;
                    }
                    if (emptyBlocks >= EMPTY_BLOCKS_BEFORE_MISMATCH) {
                        long m = MemorySegment.mismatch(oldMemory, oldOffset + p, oldOffset + length,
                                newMemory, newOffset + p, newOffset + length);
                        if (m < 0) {
                            end = length;
                            break;
                        }
                        p += (int) m;
                        emptyBlocks = 0;
                    }
                    block = p & -BLOCK;
                    mask = differenceMask(oldMemory, oldOffset, newMemory, newOffset, block, length);
                }
                long bits = mask & (-1L << (p - block));
                if (bits != 0) {
                    end = block + Long.numberOfTrailingZeros(bits);
                    break;
                }
                emptyBlocks++;
                p = block + BLOCK;
            }
            if (end == length) {
                // Either the whole page is equal (d is still 0) or this is the trailing equal run.
                return d;
            }
            d += putUleb(dst, dstOffset + d, end - i);
            i = end;

            if (d + HEADER_ROOM > dstCapacity) {
                return OVERFLOW;
            }

            // Changed run: the first equal byte at or after i. Mask bits past the page end are
            // clear, so read as equal, and the run stops there.
            p = i;
            for (;;) {
                long bits = ~mask & (-1L << (p - block));
                if (bits != 0) {
                    end = Math.min(length, block + Long.numberOfTrailingZeros(bits));
                    break;
                }
                p = block + BLOCK;
                if (p >= length) {
                    end = length;
                    break;
                }
                block = p;
                mask = differenceMask(oldMemory, oldOffset, newMemory, newOffset, block, length);
            }
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
            RunCopy.copy(newMemory, newOffset + i, dst, dstOffset + d, n);
            d += n;
            i = end;
        }
        return d;
    }

    /**
     * Bit k set when byte {@code block + k} differs, for the BLOCK bytes from {@code block} (fewer
     * at the page end, whose missing bits stay clear).
     */
    private static long differenceMask(MemorySegment a, long ao, MemorySegment b, long bo, int block, int length) {
        long at = ao + block;
        long bt = bo + block;
        if (block + BLOCK <= length) {
            return byteMask(a.get(WORD, at) ^ b.get(WORD, bt))
                    | byteMask(a.get(WORD, at + 8) ^ b.get(WORD, bt + 8)) << 8
                    | byteMask(a.get(WORD, at + 16) ^ b.get(WORD, bt + 16)) << 16
                    | byteMask(a.get(WORD, at + 24) ^ b.get(WORD, bt + 24)) << 24
                    | byteMask(a.get(WORD, at + 32) ^ b.get(WORD, bt + 32)) << 32
                    | byteMask(a.get(WORD, at + 40) ^ b.get(WORD, bt + 40)) << 40
                    | byteMask(a.get(WORD, at + 48) ^ b.get(WORD, bt + 48)) << 48
                    | byteMask(a.get(WORD, at + 56) ^ b.get(WORD, bt + 56)) << 56;
        }
        int left = length - block;
        long mask = 0;
        int k = 0;
        for (; k + Long.BYTES <= left; k += Long.BYTES) {
            mask |= byteMask(a.get(WORD, at + k) ^ b.get(WORD, bt + k)) << k;
        }
        for (; k < left; k++) {
            if (a.get(ValueLayout.JAVA_BYTE, at + k) != b.get(ValueLayout.JAVA_BYTE, bt + k)) {
                mask |= 1L << k;
            }
        }
        return mask;
    }

    /**
     * Bit k set when byte k of the little-endian word is non-zero: each byte's top bit becomes
     * "any bit set" (the low seven bits plus 0x7f carry into it, never beyond), and the multiply
     * gathers the eight top bits, which land at distinct positions and so never carry, into the
     * low byte of the result.
     */
    private static long byteMask(long x) {
        long nonZero = (((x & LOW7) + LOW7) | x) & HIGHS;
        return (nonZero >>> 7) * GATHER >>> 56;
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
}
