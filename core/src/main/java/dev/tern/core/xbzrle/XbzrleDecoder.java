package dev.tern.core.xbzrle;

import dev.tern.core.stream.StreamFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Applies an XBZRLE delta to the destination's copy of a page, in place (QEMU 7.2
 * {@code xbzrle_decode_buffer}, spec §7.3). It accepts exactly the inputs QEMU accepts, including
 * two-byte ULEB forms of small values, and rejects the rest with
 * {@link StreamFormatException#xbzrleDecodeError()} ("Failed to load XBZRLE page - decode
 * error!", the text QEMU's {@code load_xbzrle} reports for every decode failure): a ULEB cut off
 * by the end of the delta, a three-byte ULEB, an empty changed run, an empty equal run after the
 * first, a run that ends past the page, and run data that ends past the delta.
 *
 * <p>Every run is checked before it is applied, so nothing outside the page is ever written or
 * anything outside the delta read. As in QEMU, a delta found malformed part way has already
 * applied its earlier runs; the load fails either way. The common pair of a scattered write (two
 * one-byte headers and up to six changed bytes) is read as one word when it is certainly valid;
 * everything else goes through QEMU's checks one by one. Nothing is allocated unless the delta is
 * malformed.
 */
public final class XbzrleDecoder {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private XbzrleDecoder() {
    }

    /**
     * Decodes a delta that starts at offset 0 onto a page that starts at offset 0
     * ({@code xbzrle_decode_buffer(src, srcLength, page, pageLength)}).
     *
     * @param src the encoded delta
     * @param srcLength its length
     * @param page the page to update; holds the previous version on entry
     * @param pageLength the page length
     * @return the offset just past the last changed byte (less than {@code pageLength} when the
     *     page's tail was unchanged; 0 for an empty delta)
     * @throws StreamFormatException "Failed to load XBZRLE page - decode error!" if the delta is
     *     malformed
     * @throws IndexOutOfBoundsException if a segment is shorter than stated or a length is negative
     */
    public static int decode(MemorySegment src, int srcLength, MemorySegment page, int pageLength)
            throws StreamFormatException {
        return decode(src, 0, srcLength, page, 0, pageLength);
    }

    /**
     * Decodes a delta found at an offset of larger memory onto a page at an offset of larger
     * memory (a stream buffer, a guest RAM block), so the caller need not slice.
     *
     * @param src memory holding the encoded delta
     * @param srcOffset where it starts
     * @param srcLength its length
     * @param page memory holding the page to update
     * @param pageOffset where the page starts
     * @param pageLength the page length
     * @return the offset, relative to the page, just past the last changed byte
     * @throws StreamFormatException "Failed to load XBZRLE page - decode error!" if the delta is
     *     malformed
     * @throws IndexOutOfBoundsException if a range lies outside its segment or a length is negative
     */
    public static int decode(MemorySegment src, long srcOffset, int srcLength, MemorySegment page, long pageOffset,
            int pageLength) throws StreamFormatException {
        Objects.checkFromIndexSize(srcOffset, srcLength, src.byteSize());
        Objects.checkFromIndexSize(pageOffset, pageLength, page.byteSize());

        int i = 0;
        int d = 0;
        while (i < srcLength) {
            if (i <= srcLength - Long.BYTES) {
                // The usual pair after a scattered write, both headers one byte and at most six
                // changed bytes, read as one word; anything else, malformed input included, takes
                // the checked path below.
                long word = src.get(WORD, srcOffset + i);
                int zrun = (int) word & 0xff;
                int n = (int) (word >>> 8) & 0xff;
                if ((zrun | n) < XbzrleDescriptor.CONTINUATION && n != 0 && n <= Long.BYTES - 2
                        && (zrun != 0 || i == 0) && d + zrun + n <= pageLength) {
                    RunCopy.copy(src, srcOffset + i + 2, page, pageOffset + d + zrun, n);
                    d += zrun + n;
                    i += 2 + n;
                    continue;
                }
            }
            // QEMU wants two bytes left before any ULEB, even a one-byte one.
            if (srcLength - i < XbzrleDescriptor.MAX_ULEB_LENGTH) {
                throw StreamFormatException.xbzrleDecodeError();
            }
            int packed = XbzrleDescriptor.decodeUleb(src, srcOffset + i);
            if (packed == XbzrleDescriptor.ULEB_INVALID || (i != 0 && XbzrleDescriptor.ulebValue(packed) == 0)) {
                throw StreamFormatException.xbzrleDecodeError();
            }
            i += XbzrleDescriptor.ulebBytes(packed);
            d += XbzrleDescriptor.ulebValue(packed);
            if (d > pageLength) {
                throw StreamFormatException.xbzrleDecodeError();
            }

            if (srcLength - i < XbzrleDescriptor.MAX_ULEB_LENGTH) {
                throw StreamFormatException.xbzrleDecodeError();
            }
            packed = XbzrleDescriptor.decodeUleb(src, srcOffset + i);
            if (packed == XbzrleDescriptor.ULEB_INVALID || XbzrleDescriptor.ulebValue(packed) == 0) {
                throw StreamFormatException.xbzrleDecodeError();
            }
            i += XbzrleDescriptor.ulebBytes(packed);
            int n = XbzrleDescriptor.ulebValue(packed);
            if (d + n > pageLength || i + n > srcLength) {
                throw StreamFormatException.xbzrleDecodeError();
            }
            RunCopy.copy(src, srcOffset + i, page, pageOffset + d, n);
            d += n;
            i += n;
        }
        return d;
    }
}
