package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.core.stream.StreamFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XbzrleDecoderTest {
    private static final String DECODE_ERROR = "Failed to load XBZRLE page - decode error!";
    private static final int PAGE = 64;

    @Test
    void anEmptyDeltaChangesNothing() throws StreamFormatException {
        byte[] page = filled();
        assertEquals(0, decode(bytes(), page));
        assertArrayEquals(filled(), page);
    }

    @Test
    void runsApplyNewBytesAndSkipEqualOnes() throws StreamFormatException {
        byte[] page = filled();
        assertEquals(8, decode(bytes(0x02, 0x02, 0xaa, 0xbb, 0x03, 0x01, 0xcc), page));
        byte[] expected = filled();
        expected[2] = (byte) 0xaa;
        expected[3] = (byte) 0xbb;
        expected[7] = (byte) 0xcc;
        assertArrayEquals(expected, page);
    }

    @Test
    void aTruncatedUlebIsAnError() throws StreamFormatException {
        assertError(bytes(0x81));
        assertError(bytes(0x00, 0x01, 0xaa, 0x81)); // a second zrun cut off
        assertEquals(2, decode(bytes(0x01, 0x01, 0xaa), filled()));
    }

    @Test
    void aLoneByteIsAnErrorEvenIfItWouldBeACompleteUleb() {
        // QEMU demands two bytes left before any ULEB.
        assertError(bytes(0x05));
        assertError(bytes(0x00, 0x01, 0xaa, 0x05));
    }

    @Test
    void aZrunWithoutAnNzrunIsAnError() {
        assertError(bytes(0x05, 0x00));
        assertError(bytes(0x00, 0x01, 0xaa, 0x05));
    }

    @Test
    void aThreeByteUlebIsAnError() throws StreamFormatException {
        assertError(bytes(0x80, 0x80, 0x01, 0x01, 0xaa));
        assertError(bytes(0x00, 0x81, 0x80, 0x01));
        // The two-byte edge: 0x80 0x00 is zero (first zrun), 0x81 0x00 a non-canonical 1.
        assertEquals(1, decode(bytes(0x80, 0x00, 0x81, 0x00, 0xaa), filled()));
    }

    @Test
    void anEmptyChangedRunIsAnError() throws StreamFormatException {
        assertError(bytes(0x00, 0x00));
        assertError(bytes(0x03, 0x80, 0x00, 0xaa));
        assertEquals(4, decode(bytes(0x03, 0x01, 0xaa), filled()));
    }

    @Test
    void onlyTheFirstEqualRunMayBeEmpty() throws StreamFormatException {
        assertEquals(1, decode(bytes(0x00, 0x01, 0xaa), filled()));
        assertError(bytes(0x00, 0x01, 0xaa, 0x00, 0x01, 0xbb));
        assertEquals(3, decode(bytes(0x00, 0x01, 0xaa, 0x01, 0x01, 0xbb), filled()));
    }

    @Test
    void aRunEndingAtThePageEndIsAcceptedAndOneBeyondIsAnError() throws StreamFormatException {
        assertEquals(PAGE, decode(bytes(PAGE - 1, 0x01, 0xaa), filled()));
        assertError(bytes(PAGE, 0x01, 0xaa));
        assertError(bytes(PAGE + 1, 0x01, 0xaa));
        assertEquals(PAGE, decode(bytes(PAGE - 2, 0x02, 0xaa, 0xbb), filled()));
        assertError(bytes(PAGE - 1, 0x02, 0xaa, 0xbb));
    }

    @Test
    void runDataBeyondTheDeltaIsAnError() throws StreamFormatException {
        assertError(bytes(0x00, 0x03, 0xaa, 0xbb));
        assertEquals(3, decode(bytes(0x00, 0x03, 0xaa, 0xbb, 0xcc), filled()));
        // The stated length, not the segment, bounds the delta.
        byte[] page = filled();
        assertThrows(StreamFormatException.class, () -> XbzrleDecoder.decode(
                MemorySegment.ofArray(bytes(0x00, 0x03, 0xaa, 0xbb, 0xcc)), 4, MemorySegment.ofArray(page), PAGE));
    }

    @Test
    void earlierRunsAreAppliedWhenALaterOneIsMalformedAsInQemu() {
        byte[] page = filled();
        assertError(bytes(0x00, 0x01, 0xaa, 0x00, 0x01, 0xbb), page);
        assertEquals((byte) 0xaa, page[0]);
        assertArrayEquals(Arrays.copyOfRange(filled(), 1, PAGE), Arrays.copyOfRange(page, 1, PAGE));
    }

    @Test
    void pagesAtOffsetsAreDecodedInPlaceAndTheirNeighboursLeftAlone() throws StreamFormatException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(3 * PAGE);
            memory.fill((byte) 0x11);
            MemorySegment src = arena.allocate(32);
            byte[] delta = bytes(0x00, 0x02, 0xaa, 0xbb, PAGE - 4, 0x02, 0xcc, 0xdd);
            MemorySegment.copy(MemorySegment.ofArray(delta), 0, src, 7, delta.length);
            assertEquals(PAGE, XbzrleDecoder.decode(src, 7, delta.length, memory, PAGE, PAGE));
            assertEquals((byte) 0xaa, memory.get(ValueLayout.JAVA_BYTE, PAGE));
            assertEquals((byte) 0xdd, memory.get(ValueLayout.JAVA_BYTE, 2 * PAGE - 1));
            assertEquals((byte) 0x11, memory.get(ValueLayout.JAVA_BYTE, PAGE - 1));
            assertEquals((byte) 0x11, memory.get(ValueLayout.JAVA_BYTE, 2 * PAGE));
        }
    }

    @Test
    void rangesOutsideTheSegmentsAreRefused() {
        MemorySegment page = MemorySegment.ofArray(new byte[PAGE]);
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleDecoder.decode(page, PAGE + 1, page, PAGE));
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleDecoder.decode(page, 0, page, PAGE + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleDecoder.decode(page, -1, page, PAGE));
    }

    private static void assertError(byte[] delta) {
        assertError(delta, filled());
    }

    private static void assertError(byte[] delta, byte[] page) {
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> decode(delta, page));
        assertEquals(DECODE_ERROR, e.getMessage());
        assertEquals(NaiveXbzrle.ERROR, NaiveXbzrle.decode(delta, delta.length, filled(), PAGE), "oracle agrees");
    }

    private static int decode(byte[] delta, byte[] page) throws StreamFormatException {
        int n = XbzrleDecoder.decode(MemorySegment.ofArray(delta), delta.length, MemorySegment.ofArray(page), PAGE);
        assertEquals(NaiveXbzrle.decode(delta, delta.length, filled(), PAGE), n, "oracle agrees");
        return n;
    }

    private static byte[] filled() {
        byte[] page = new byte[PAGE];
        for (int i = 0; i < PAGE; i++) {
            page[i] = (byte) (i * 7 + 1);
        }
        return page;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
