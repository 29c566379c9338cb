package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class XbzrleDescriptorTest {
    @Test
    void everyValueUpTo0x3fffRoundTripsAndTheLengthsAgree() {
        // QEMU /xbzrle/uleb
        for (int v = 0; v <= 0x3fff; v++) {
            byte[] bytes = new byte[2];
            MemorySegment buf = MemorySegment.ofArray(bytes);
            int written = XbzrleDescriptor.putUleb(buf, 0, v);
            int packed = XbzrleDescriptor.decodeUleb(buf, 0);
            assertEquals(XbzrleDescriptor.ulebLength(v), written, "length of " + v);
            assertEquals(v < 0x80 ? 1 : 2, written, "length of " + v);
            assertEquals(written, XbzrleDescriptor.ulebBytes(packed), "decoded length of " + v);
            assertEquals(v, XbzrleDescriptor.ulebValue(packed), "value " + v);
            byte[] expected = new byte[2];
            NaiveXbzrle.putUleb(expected, 0, v);
            assertArrayEquals(expected, bytes, "bytes of " + v);
        }
    }

    @Test
    void aSecondByteWithItsTopBitSetIsInvalid() {
        assertEquals(XbzrleDescriptor.ULEB_INVALID, XbzrleDescriptor.decodeUleb(seg(0x80, 0x80), 0));
        assertEquals(XbzrleDescriptor.ULEB_INVALID, XbzrleDescriptor.decodeUleb(seg(0xff, 0xff), 0));
        assertEquals(0x3fff, XbzrleDescriptor.ulebValue(XbzrleDescriptor.decodeUleb(seg(0xff, 0x7f), 0)));
    }

    @Test
    void theBoundaryValuesHaveTheirKnownBytes() {
        assertArrayEquals(new byte[] {0x7f, 0}, encode(0x7f));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, encode(0x80));
        assertArrayEquals(new byte[] {(byte) 0xff, 0x1f}, encode(4095));
        assertArrayEquals(new byte[] {(byte) 0xff, 0x7f}, encode(0x3fff));
    }

    @Test
    void aTwoByteFormOfASmallValueIsAcceptedAsQemuDoes() {
        int packed = XbzrleDescriptor.decodeUleb(seg(0x81, 0x00), 0);
        assertEquals(1, XbzrleDescriptor.ulebValue(packed));
        assertEquals(2, XbzrleDescriptor.ulebBytes(packed));
    }

    @Test
    void aOneByteFormReadsOnlyItsByte() {
        int packed = XbzrleDescriptor.decodeUleb(seg(0x7f), 0);
        assertEquals(0x7f, XbzrleDescriptor.ulebValue(packed));
        assertEquals(1, XbzrleDescriptor.ulebBytes(packed));
    }

    @Test
    void valuesBeyondTwoBytesAreRefused() {
        MemorySegment buf = MemorySegment.ofArray(new byte[2]);
        assertThrows(IllegalArgumentException.class, () -> XbzrleDescriptor.putUleb(buf, 0, 0x4000));
        assertThrows(IllegalArgumentException.class, () -> XbzrleDescriptor.putUleb(buf, 0, -1));
        assertEquals(2, XbzrleDescriptor.putUleb(buf, 0, 0x3fff));
    }

    @Test
    void theRecordConstantsAreQemus() {
        assertEquals(0x01, XbzrleDescriptor.ENCODING_FLAG);
        assertEquals(3, XbzrleDescriptor.RECORD_HEADER_LENGTH);
        assertEquals(16384, XbzrleDescriptor.MAX_PAGE_LENGTH);
        assertEquals(0x3fff, XbzrleDescriptor.MAX_RUN);
    }

    private static byte[] encode(int v) {
        byte[] bytes = new byte[2];
        XbzrleDescriptor.putUleb(MemorySegment.ofArray(bytes), 0, v);
        return bytes;
    }

    private static MemorySegment seg(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return MemorySegment.ofArray(b);
    }
}
