package dev.tern.core.xbzrle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Delta-encodes a page against its previous version (QEMU 7.2 {@code xbzrle_encode_buffer},
 * spec §7.2), byte for byte as QEMU does: maximal equal and changed runs, the trailing equal run
 * dropped, and the same overflow decisions — QEMU wants two spare bytes before each run header
 * (so also before it finds that the rest of the page is equal) and room for a changed run's
 * bytes before copying them. The format is in {@link XbzrleDescriptor}.
 *
 * <p>How runs are found depends on how many there are; the output does not.
 * <ul>
 *   <li><b>Sparse pages</b> (an unchanged page, a few writes): each equal run ends where
 *       {@link MemorySegment#mismatch}, a vectorised intrinsic, finds the next difference; each
 *       changed run ends at the first zero byte of {@code old ^ new}, found a little-endian word at
 *       a time with the "word has a zero byte" test, whose lowest set bit marks exactly the first
 *       equal byte (its false positives lie only above a true zero byte).
 *   <li><b>Dense pages</b> (runs closer than {@link #DENSE_SPACING} bytes on average): a per-run
 *       call then costs more than the run, and the run lengths are random, so a scan loop
 *       mispredicts its exit on nearly every run. One loop over the rest of the page, which the
 *       JIT vectorises, turns every word of {@code old ^ new} into an 8-bit mask of its differing
 *       bytes (a per-byte "is non-zero" test, gathered by a multiply) in a thread's scratch array;
 *       every 64-byte block's run boundaries are then the set bits of its 64-bit mask XOR the same
 *       mask shifted by one byte, taken one {@link Long#numberOfTrailingZeros} at a time.
 * </ul>
 * QEMU's scan aligns words to the page end; where the words fall does not change maximal runs.
 * Nothing is allocated per call (the scratch array is made once per thread) and no page is
 * copied to the heap. The pages should be native segments, as guest RAM and the cache are: the
 * JIT specialises for the segment type it sees.
 */
public final class XbzrleEncoder {
    /** Returned for a page identical to its previous version: nothing is to be sent. */
    public static final int UNCHANGED = 0;
    /** Returned when the encoding does not fit the destination: send the page in full. */
    public static final int OVERFLOW = -1;

    /**
     * Average distance between runs, in bytes, below which the rest of a page is encoded from
     * difference masks: their fixed cost (one vectorised pass) is then repaid by cheaper runs.
     */
    static final int DENSE_SPACING = 384;
    /** Runs found by the sparse scan before the average spacing is trusted. */
    static final int DENSE_MIN_RUNS = 3;

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Eight consecutive word masks, read as one block mask. */
    private static final VarHandle BLOCK_MASK =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    private static final long HIGHS = 0x8080808080808080L;
    /** Multiplier that moves bit 8k to bit 56 + k. */
    private static final long GATHER = 0x0102040810204080L;
    /** Bytes per block mask: one bit each in a long. */
    private static final int BLOCK = Long.SIZE;
    private static final int BLOCK_SHIFT = 6;
    /** Room QEMU demands before each run header: the longest ULEB. */
    private static final int HEADER_ROOM = XbzrleDescriptor.MAX_ULEB_LENGTH;
    /** Word masks of the largest page, in whole blocks. */
    private static final int SCRATCH_LENGTH = XbzrleDescriptor.MAX_PAGE_LENGTH / Long.BYTES + Long.BYTES;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_LENGTH]);

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
     *     encoding); bytes of {@code dst} past the encoded length, within {@code dstCapacity},
     *     may have been overwritten
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
        if (length == 0) {
            return UNCHANGED;
        }
        int d = 0;
        int i = 0; // start of the current equal run
        int runs = 0;
        for (;;) {
            long m = MemorySegment.mismatch(oldMemory, oldOffset + i, oldOffset + length,
                    newMemory, newOffset + i, newOffset + length);
            if (m < 0) {
                // Unchanged (d is 0) or a trailing equal run, which is not encoded; QEMU checks
                // for header room before it finds that out.
                return d + HEADER_ROOM > dstCapacity ? OVERFLOW : d;
            }
            int e = i + (int) m;
            if (runs >= DENSE_MIN_RUNS && runs * DENSE_SPACING > e) {
                break;
            }
            int f = changedRunEnd(oldMemory, oldOffset, newMemory, newOffset, e, length);
            d = emitRuns(dst, dstOffset, d, dstCapacity, e - i, f - e, newMemory, newOffset, e, length);
            if (d < 0) {
                return OVERFLOW;
            }
            i = f;
            if (i == length) {
                return d;
            }
            runs++;
        }
        return encodeDense(oldMemory, oldOffset, newMemory, newOffset, length, dst, dstOffset, dstCapacity, d, i);
    }

    /** The rest of a page, from the equal run that starts at {@code from}, by block masks. */
    private static int encodeDense(MemorySegment oldMemory, long oldOffset, MemorySegment newMemory, long newOffset,
            int length, MemorySegment dst, long dstOffset, int dstCapacity, int written, int from) {
        byte[] masks = SCRATCH.get();
        int words = length >>> 3;
        int block = from & -BLOCK;
        // The loop the JIT vectorises.
        for (int w = block >>> 3; w < words; w++) {
            long x = oldMemory.get(WORD, oldOffset + ((long) w << 3)) ^ newMemory.get(WORD, newOffset + ((long) w << 3));
            masks[w] = (byte) byteMask(x);
        }
        int blocks = (length + BLOCK - 1) >>> BLOCK_SHIFT;
        if ((length & (BLOCK - 1)) != 0) {
            // A partial last block: bytes past the page end read as equal.
            int w = words;
            if ((length & (Long.BYTES - 1)) != 0) {
                int tail = words << 3;
                int last = 0;
                for (int k = tail; k < length; k++) {
                    if (oldMemory.get(ValueLayout.JAVA_BYTE, oldOffset + k)
                            != newMemory.get(ValueLayout.JAVA_BYTE, newOffset + k)) {
                        last |= 1 << (k - tail);
                    }
                }
                masks[w++] = (byte) last;
            }
            for (; w < blocks << 3; w++) {
                masks[w] = 0;
            }
        }

        int d = written;
        int i = from; // start of the current equal run
        int e = 0;    // start of the current changed run, when changed
        boolean changed = false;
        long mask = (long) BLOCK_MASK.get(masks, block >>> 3);
        // Run boundaries are where a byte's state differs from the byte before it; those up to
        // i are behind us (i itself ended the last changed run).
        long edges = (mask ^ mask << 1) & (-2L << (i - block));
        for (;;) {
            while (edges != 0) {
                int t = block + Long.numberOfTrailingZeros(edges);
                edges &= edges - 1;
                if (!changed) {
                    e = t;
                    changed = true;
                    continue;
                }
                d = emitRuns(dst, dstOffset, d, dstCapacity, e - i, t - e, newMemory, newOffset, e, length);
                if (d < 0) {
                    return OVERFLOW;
                }
                i = t;
                changed = false;
            }
            block += BLOCK;
            if (block >= length) {
                break;
            }
            mask = (long) BLOCK_MASK.get(masks, block >>> 3);
            // The byte before the block is changed when a changed run is open.
            edges = mask ^ (mask << 1 | (changed ? 1 : 0));
        }
        if (changed) {
            // A changed run reaching the page end: QEMU's loop ends without another check.
            return emitRuns(dst, dstOffset, d, dstCapacity, e - i, length - e, newMemory, newOffset, e, length);
        }
        if (i >= length) {
            return d;
        }
        return d + HEADER_ROOM > dstCapacity ? OVERFLOW : d;
    }

    /**
     * Writes an equal run's header, then a changed run's header and bytes, unless QEMU's checks
     * fail: two spare bytes after the equal run's header, room for the changed run after its own
     * (with a next run to come, the next header's check implies the loop-top one QEMU makes
     * before it). The usual pair after a scattered write, a short equal run and a few changed
     * bytes, is composed in a register and stored as one word, which may spill bytes past the
     * pair but not past the capacity.
     *
     * @return the new encoded length, or {@link #OVERFLOW}
     */
    private static int emitRuns(MemorySegment dst, long dstOffset, int d, int capacity, int zrun, int n,
            MemorySegment src, long srcOffset, int at, int length) {
        if (zrun < XbzrleDescriptor.CONTINUATION && n <= Long.BYTES - 2 && d + Long.BYTES <= capacity
                && at + Long.BYTES <= length) {
            dst.set(WORD, dstOffset + d, zrun | (long) n << 8 | src.get(WORD, srcOffset + at) << 16);
            return d + 2 + n;
        }
        return emitRunsChecked(dst, dstOffset, d, capacity, zrun, n, src, srcOffset + at);
    }

    /** {@link #emitRuns} for long runs and a nearly full destination, with each check. */
    private static int emitRunsChecked(MemorySegment dst, long dstOffset, int d, int capacity, int zrun, int n,
            MemorySegment src, long at) {
        int headed = d + XbzrleDescriptor.ulebLength(zrun);
        if (headed + HEADER_ROOM > capacity) {
            return OVERFLOW;
        }
        if (n > XbzrleDescriptor.MAX_RUN) {
            // Only a 16 KiB page changed in every byte gets here (QEMU asserts): it cannot be
            // expressed, and would not fit a page-sized destination anyway.
            return OVERFLOW;
        }
        int data = headed + XbzrleDescriptor.ulebLength(n);
        if (data + n > capacity) {
            return OVERFLOW;
        }
        putUleb(dst, dstOffset + d, zrun);
        putUleb(dst, dstOffset + headed, n);
        RunCopy.copy(src, at, dst, dstOffset + data, n);
        return data + n;
    }

    /** A run header; the caller has checked the value and the room. */
    private static void putUleb(MemorySegment dst, long at, int value) {
        if (value < XbzrleDescriptor.CONTINUATION) {
            dst.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            return;
        }
        dst.set(ValueLayout.JAVA_BYTE, at, (byte) (value | XbzrleDescriptor.CONTINUATION));
        dst.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (value >>> 7));
    }

    /** The first byte at or after {@code i} where the pages are equal, or {@code length}, by words. */
    private static int changedRunEnd(MemorySegment a, long ao, MemorySegment b, long bo, int i, int length) {
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
        // Fewer than 8 bytes left: the page's last word with the bytes before i shifted out; the
        // zero bytes shifted in past the end stop the run there.
        int last = length - Long.BYTES;
        long x = (a.get(WORD, ao + last) ^ b.get(WORD, bo + last)) >>> ((i - last) << 3);
        long zeroBytes = (x - ONES) & ~x & HIGHS;
        return Math.min(length, i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3));
    }

    /**
     * Bit k set when byte k of the little-endian word is non-zero: each byte's top bit becomes
     * "any bit set" (the low seven bits plus 0x7f carry into it, never beyond), and the multiply
     * gathers the eight top bits, which land at distinct positions and so never carry, into the
     * top byte.
     */
    private static long byteMask(long x) {
        long nonZero = (((x & LOW7) + LOW7) | x) & HIGHS;
        return (nonZero >>> 7) * GATHER >>> 56;
    }
}
