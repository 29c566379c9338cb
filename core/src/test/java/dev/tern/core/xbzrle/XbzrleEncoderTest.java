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

class XbzrleEncoderTest {
    private static final int PAGE = 4096;

    @Test
    void identicalMostlyZeroPagesEncodeToNothing() {
        // QEMU /xbzrle/encode_decode_zero
        byte[] page = new byte[PAGE];
        for (int i = 1000; i < 3000; i++) {
            page[i] = (byte) i;
        }
        assertEquals(XbzrleEncoder.UNCHANGED, encode(page, page.clone(), PAGE));
    }

    @Test
    void identicalNonZeroPagesEncodeToNothing() {
        // QEMU /xbzrle/encode_decode_unchanged
        byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte) 0x5a);
        assertEquals(XbzrleEncoder.UNCHANGED, encode(page, page.clone(), PAGE));
    }

    @Test
    void aChangedLastByteIsFourBytes() throws StreamFormatException {
        // QEMU /xbzrle/encode_decode_1_byte
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        cur[PAGE - 1] = 1;
        byte[] dst = new byte[PAGE];
        assertEquals(4, XbzrleEncoder.encode(seg(old), seg(cur), PAGE, seg(dst), PAGE));
        assertArrayEquals(new byte[] {(byte) 0xff, 0x1f, 0x01, 0x01}, Arrays.copyOf(dst, 4));
        assertEquals(PAGE, XbzrleDecoder.decode(seg(dst), 4, seg(old), PAGE));
        assertArrayEquals(cur, old);
    }

    @Test
    void aChangedFirstByteStartsWithAnEmptyEqualRun() {
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        cur[0] = 7;
        byte[] dst = new byte[PAGE];
        assertEquals(3, XbzrleEncoder.encode(seg(old), seg(cur), PAGE, seg(dst), PAGE));
        assertArrayEquals(new byte[] {0x00, 0x01, 0x07}, Arrays.copyOf(dst, 3));
    }

    @Test
    void alternatingChangesOverflow() {
        // QEMU /xbzrle/encode_decode_overflow
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        for (int i = 0; i < PAGE; i += 2) {
            cur[i] = 1;
        }
        assertEquals(XbzrleEncoder.OVERFLOW, encode(old, cur, PAGE));
    }

    @Test
    void runsAreMaximalAndAlternate() {
        byte[] old = new byte[64];
        byte[] cur = new byte[64];
        for (int i = 3; i < 20; i++) {
            cur[i] = (byte) (i + 1); // 3..19 changed
        }
        cur[40] = 9;
        byte[] dst = new byte[64];
        int n = XbzrleEncoder.encode(seg(old), seg(cur), 64, seg(dst), 64);
        byte[] expected = new byte[2 + 17 + 3];
        expected[0] = 3;
        expected[1] = 17;
        for (int i = 0; i < 17; i++) {
            expected[2 + i] = (byte) (i + 4);
        }
        expected[19] = 20;
        expected[20] = 1;
        expected[21] = 9;
        assertArrayEquals(expected, Arrays.copyOf(dst, n));
    }

    @Test
    void aChangedRunReachingThePageEndNeedsOnlyItsOwnRoom() {
        // zrun 4088 (2 bytes), nzrun 8 (1 byte), 8 data bytes = 11; the loop then ends.
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        for (int i = PAGE - 8; i < PAGE; i++) {
            cur[i] = 1;
        }
        assertEquals(11, encodeWithCapacity(old, cur, 11));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 10));
    }

    @Test
    void anEncodingFollowedByEqualBytesStillNeedsTwoSpareBytes() {
        // QEMU checks d + 2 > dlen at the top of the loop before it finds that the rest is equal:
        // 12 bytes of encoding need a capacity of 14.
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        for (int i = 0; i < 10; i++) {
            cur[i] = 1;
        }
        assertEquals(12, encodeWithCapacity(old, cur, 14));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 13));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 12));
    }

    @Test
    void theChangedRunHeaderNeedsTwoSpareBytesEvenWhenOneWouldDo() {
        // zrun 4095 takes 2 bytes; the nzrun header check wants 2 more although ULEB(1) is 1 byte.
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        cur[PAGE - 1] = 1;
        assertEquals(4, encodeWithCapacity(old, cur, 4));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 3));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 1));
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(old, cur, 0));
    }

    @Test
    void anUnchangedPageIsUnchangedWhateverTheCapacityAboveOne() {
        byte[] page = new byte[PAGE];
        assertEquals(XbzrleEncoder.UNCHANGED, encodeWithCapacity(page, page.clone(), 2));
        // With less than two bytes QEMU reports overflow before it looks at the page.
        assertEquals(XbzrleEncoder.OVERFLOW, encodeWithCapacity(page, page.clone(), 1));
    }

    @Test
    void anEmptyPageEncodesToNothing() {
        assertEquals(0, XbzrleEncoder.encode(seg(new byte[0]), seg(new byte[0]), 0, seg(new byte[0]), 0));
    }

    @Test
    void aSixteenKibPageChangedInEveryByteCannotBeEncoded() {
        int page = XbzrleDescriptor.MAX_PAGE_LENGTH;
        byte[] old = new byte[page];
        byte[] cur = new byte[page];
        Arrays.fill(cur, (byte) 1);
        byte[] dst = new byte[2 * page];
        assertEquals(XbzrleEncoder.OVERFLOW, XbzrleEncoder.encode(seg(old), seg(cur), page, seg(dst), 2 * page));
        // One equal byte brings the changed run to 0x3fff, the longest a ULEB can carry.
        cur[0] = 0;
        int n = XbzrleEncoder.encode(seg(old), seg(cur), page, seg(dst), 2 * page);
        assertEquals(3 + 0x3fff, n);
        assertArrayEquals(new byte[] {0x01, (byte) 0xff, 0x7f}, Arrays.copyOf(dst, 3));
    }

    @Test
    void pageLengthsAreBoundedByTheFormat() {
        MemorySegment big = seg(new byte[XbzrleDescriptor.MAX_PAGE_LENGTH + 1]);
        assertThrows(IllegalArgumentException.class,
                () -> XbzrleEncoder.encode(big, big, XbzrleDescriptor.MAX_PAGE_LENGTH + 1, big, 10));
        assertThrows(IllegalArgumentException.class, () -> XbzrleEncoder.encode(big, big, -1, big, 10));
        assertThrows(IllegalArgumentException.class, () -> XbzrleEncoder.encode(big, big, 8, big, -1));
        assertEquals(0, XbzrleEncoder.encode(big, big, XbzrleDescriptor.MAX_PAGE_LENGTH, big, 10));
    }

    @Test
    void rangesOutsideTheSegmentsAreRefused() {
        MemorySegment page = seg(new byte[PAGE]);
        MemorySegment small = seg(new byte[PAGE - 1]);
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleEncoder.encode(small, page, PAGE, page, PAGE));
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleEncoder.encode(page, small, PAGE, page, PAGE));
        assertThrows(IndexOutOfBoundsException.class, () -> XbzrleEncoder.encode(page, page, PAGE, small, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
                () -> XbzrleEncoder.encode(page, 1, page, 0, PAGE, page, 0, PAGE));
    }

    @Test
    void nothingIsWrittenOutsideTheCapacity() {
        byte[] old = new byte[PAGE];
        byte[] shortRuns = new byte[PAGE];
        for (int i = 0; i < PAGE; i += 5) {
            shortRuns[i] = 3; // copied as words where there is room
        }
        byte[] longRuns = new byte[PAGE];
        for (int i = 0; i < PAGE; i += 400) {
            for (int k = i + 200; k < Math.min(PAGE, i + 390); k++) {
                longRuns[k] = 4; // two-byte run headers
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            for (byte[] cur : new byte[][] {shortRuns, longRuns}) {
                for (int capacity = 0; capacity < 600; capacity++) {
                    MemorySegment dst = arena.allocate(capacity + 64);
                    dst.fill((byte) 0xee);
                    int n = XbzrleEncoder.encode(seg(old), 0, seg(cur), 0, PAGE, dst, 16, capacity);
                    assertEquals(NaiveXbzrle.encode(old, cur, PAGE, new byte[PAGE], capacity), n,
                            "capacity " + capacity);
                    for (long k = 0; k < 16; k++) {
                        assertEquals((byte) 0xee, dst.get(ValueLayout.JAVA_BYTE, k), "before, capacity " + capacity);
                    }
                    for (long k = 16 + capacity; k < dst.byteSize(); k++) {
                        assertEquals((byte) 0xee, dst.get(ValueLayout.JAVA_BYTE, k), "after, capacity " + capacity);
                    }
                }
            }
        }
    }

    @Test
    void pagesAtOffsetsEncodeAsAtZero() {
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        for (int i = 100; i < PAGE; i += 97) {
            cur[i] = (byte) i;
            cur[i + 1] = 1;
        }
        byte[] expected = new byte[PAGE];
        int n = NaiveXbzrle.encode(old, cur, PAGE, expected, PAGE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(PAGE + 13);
            MemorySegment b = arena.allocate(PAGE + 13);
            MemorySegment d = arena.allocate(PAGE + 13);
            MemorySegment.copy(seg(old), 0, a, 5, PAGE);
            MemorySegment.copy(seg(cur), 0, b, 13, PAGE);
            assertEquals(n, XbzrleEncoder.encode(a, 5, b, 13, PAGE, d, 3, PAGE));
            assertArrayEquals(Arrays.copyOf(expected, n), d.asSlice(3, n).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static int encode(byte[] old, byte[] cur, int length) {
        return encodeWithCapacity(old, cur, length);
    }

    private static int encodeWithCapacity(byte[] old, byte[] cur, int capacity) {
        return XbzrleEncoder.encode(seg(old), seg(cur), old.length, seg(new byte[Math.max(capacity, 1)]), capacity);
    }

    static MemorySegment seg(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }
}
