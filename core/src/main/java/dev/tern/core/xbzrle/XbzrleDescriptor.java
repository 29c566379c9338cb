package dev.tern.core.xbzrle;

import dev.tern.core.stream.RamRecordDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The XBZRLE delta format (spec §7.1, QEMU {@code migration/xbzrle.c} and {@code util/cutils.c}
 * {@code uleb128_encode_small}/{@code uleb128_decode_small}) and the record that carries it in the
 * RAM section (spec §8.3).
 *
 * <pre>
 * Encoded page: alternating runs, the trailing equal run is not encoded
 *
 *   +------+-------+----------------+------+-------+----------------+-- ... --+
 *   | zrun | nzrun | nzrun new bytes| zrun | nzrun | nzrun new bytes|         |
 *   +------+-------+----------------+------+-------+----------------+-- ... --+
 *   zrun  = ULEB(count of bytes equal in the old and new page); only the first may be 0
 *   nzrun = ULEB(count n &gt; 0 of changed bytes), then n bytes of the NEW page
 *   runs are maximal (canonical): equal and changed runs alternate
 *   unchanged page: nothing at all (length 0)
 *
 * ULEB, restricted to two bytes (values 0 .. 0x3fff):
 *
 *   v &lt; 0x80:          +-----------+
 *                       | 0 | v     |                        1 byte
 *                       +-----------+
 *   0x80 &lt;= v &lt;= 0x3fff: +-------------------+-------------+
 *                       | 1 | v &amp; 0x7f      | 0 | v &gt;&gt; 7  |  2 bytes, low 7 bits first
 *                       +-------------------+-------------+
 *   a second byte with its top bit set (a 3-byte form) is invalid; a 2-byte form of a value
 *   below 0x80 is accepted by the decoder, never produced by the encoder
 *
 * RAM record (after the be64 word with flag XBZRLE 0x40 and the optional block name):
 *
 *   +------+------------------+------------------------------+
 *   | 0x01 | be16 length      | length bytes of encoded page |   length &lt;= target page size
 *   +------+------------------+------------------------------+
 * </pre>
 *
 * <p>Two ULEB bytes bound every run to 0x3fff bytes, so XBZRLE serves pages of at most 16 KiB.
 */
public final class XbzrleDescriptor {
    /** Longest run a two-byte ULEB can express. */
    public static final int MAX_RUN = 0x3fff;
    /** Most bytes of one ULEB. */
    public static final int MAX_ULEB_LENGTH = 2;
    /** Largest page the format can encode: every equal run is shorter than the page. */
    public static final int MAX_PAGE_LENGTH = MAX_RUN + 1;
    /** The record's encoding byte ({@code ENCODING_FLAG_XBZRLE}). */
    public static final int ENCODING_FLAG = RamRecordDescriptor.XBZRLE_ENCODING_FLAG;
    /** Bytes of the record header after the word: the encoding byte and the be16 length. */
    public static final int RECORD_HEADER_LENGTH = RamRecordDescriptor.XBZRLE_HEADER_LENGTH;
    /** What {@link #decodeUleb} returns for an invalid (three-byte) form. */
    public static final int ULEB_INVALID = -1;

    /** Bit of a ULEB byte that says another byte follows. */
    static final int CONTINUATION = 0x80;

    private XbzrleDescriptor() {
    }

    /**
     * Bytes the ULEB form of a value takes.
     *
     * @param value 0 .. {@link #MAX_RUN}
     * @return 1 or 2
     */
    public static int ulebLength(int value) {
        return value < CONTINUATION ? 1 : 2;
    }

    /**
     * Writes a value as a ULEB ({@code uleb128_encode_small}).
     *
     * @param dst where to write
     * @param offset the first byte
     * @param value 0 .. {@link #MAX_RUN}
     * @return bytes written, 1 or 2
     * @throws IllegalArgumentException if the value is outside 0 .. {@link #MAX_RUN} (QEMU asserts)
     */
    public static int putUleb(MemorySegment dst, long offset, int value) {
        if (value < 0 || value > MAX_RUN) {
            throw new IllegalArgumentException("ULEB value " + value + " is outside 0.." + MAX_RUN);
        }
        if (value < CONTINUATION) {
            dst.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
            return 1;
        }
        dst.set(ValueLayout.JAVA_BYTE, offset, (byte) (value | CONTINUATION));
        dst.set(ValueLayout.JAVA_BYTE, offset + 1, (byte) (value >>> 7));
        return 2;
    }

    /**
     * Reads a ULEB ({@code uleb128_decode_small}); reads the second byte only when the first has
     * its continuation bit.
     *
     * @param src where to read
     * @param offset the first byte
     * @return the value and length packed (see {@link #ulebValue} and {@link #ulebBytes}), or
     *     {@link #ULEB_INVALID} when the second byte has its top bit set
     */
    public static int decodeUleb(MemorySegment src, long offset) {
        int first = src.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
        if (first < CONTINUATION) {
            return packUleb(first, 1);
        }
        int second = src.get(ValueLayout.JAVA_BYTE, offset + 1) & 0xff;
        if (second >= CONTINUATION) {
            return ULEB_INVALID;
        }
        return packUleb((first & 0x7f) | second << 7, 2);
    }

    /**
     * The value of a {@link #decodeUleb} result.
     *
     * @param packed a valid result
     * @return the value, 0 .. {@link #MAX_RUN}
     */
    public static int ulebValue(int packed) {
        return packed >>> 2;
    }

    /**
     * The length of a {@link #decodeUleb} result.
     *
     * @param packed a valid result
     * @return bytes read, 1 or 2
     */
    public static int ulebBytes(int packed) {
        return packed & 3;
    }

    private static int packUleb(int value, int bytes) {
        return value << 2 | bytes;
    }
}
