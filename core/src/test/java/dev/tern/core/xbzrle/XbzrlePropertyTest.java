package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.core.stream.StreamFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The encoder and decoder against {@link NaiveXbzrle} on random page pairs: identical encodings
 * byte for byte, identical overflow decisions at every capacity tried, exact round trips.
 */
class XbzrlePropertyTest {
    private static final int PAGE = 4096;
    private static final double[] FRACTIONS = {0, 0.001, 0.01, 0.1, 0.5, 1.0};

    @ParameterizedTest
    @EnumSource(PagePairs.Shape.class)
    void fourKibPagesEncodeAsTheNaiveEncoderDoes(PagePairs.Shape shape) throws StreamFormatException {
        SplittableRandom random = new SplittableRandom(0x5eed + shape.ordinal());
        try (Arena arena = Arena.ofConfined()) {
            Buffers buffers = new Buffers(arena, XbzrleDescriptor.MAX_PAGE_LENGTH);
            for (double fraction : FRACTIONS) {
                for (int trial = 0; trial < 400; trial++) {
                    byte[] old = PagePairs.oldPage(random, PAGE);
                    byte[] cur = PagePairs.newPage(random, old, shape, fraction);
                    check(buffers, random, old, cur, shape + " " + fraction + " #" + trial);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 4095, 4097, 8192, 16383, 16384})
    void oddAndLargePageLengthsEncodeAsTheNaiveEncoderDoes(int length) throws StreamFormatException {
        SplittableRandom random = new SplittableRandom(length);
        try (Arena arena = Arena.ofConfined()) {
            Buffers buffers = new Buffers(arena, XbzrleDescriptor.MAX_PAGE_LENGTH);
            for (int trial = 0; trial < 300; trial++) {
                PagePairs.Shape shape = PagePairs.Shape.values()[trial % PagePairs.Shape.values().length];
                byte[] old = PagePairs.oldPage(random, length);
                byte[] cur = PagePairs.newPage(random, old, shape, FRACTIONS[random.nextInt(FRACTIONS.length)]);
                check(buffers, random, old, cur, "length " + length + " " + shape + " #" + trial);
            }
        }
    }

    @Test
    void randomLengthsAndEveryChangePatternAgree() throws StreamFormatException {
        SplittableRandom random = new SplittableRandom(77);
        try (Arena arena = Arena.ofConfined()) {
            Buffers buffers = new Buffers(arena, XbzrleDescriptor.MAX_PAGE_LENGTH);
            for (int trial = 0; trial < 1500; trial++) {
                int length = random.nextBoolean() ? random.nextInt(200) : random.nextInt(XbzrleDescriptor.MAX_PAGE_LENGTH + 1);
                PagePairs.Shape shape = PagePairs.Shape.values()[random.nextInt(PagePairs.Shape.values().length)];
                byte[] old = PagePairs.oldPage(random, length);
                byte[] cur = PagePairs.newPage(random, old, shape, random.nextDouble() * random.nextDouble());
                check(buffers, random, old, cur, "length " + length + " " + shape + " #" + trial);
            }
        }
    }

    @Test
    void qemusRandomTrialsRoundTripAndStopBeforeThePageEnd() throws StreamFormatException {
        // QEMU /xbzrle/encode_decode: a changed range from byte 1001, two more bytes past it.
        SplittableRandom random = new SplittableRandom(2013);
        for (int trial = 0; trial < 10000; trial++) {
            byte[] buffer = new byte[PAGE];
            byte[] test = new byte[PAGE];
            int diffLength = random.nextInt(PAGE - 1006);
            for (int i = diffLength; i > 0; i--) {
                test[1000 + i] = (byte) (i + 4);
            }
            test[1000 + diffLength + 3] = 107;
            test[1000 + diffLength + 5] = 109;
            byte[] compressed = new byte[PAGE];
            int dlen = XbzrleEncoder.encode(MemorySegment.ofArray(test), MemorySegment.ofArray(buffer), PAGE,
                    MemorySegment.ofArray(compressed), PAGE);
            byte[] expected = new byte[PAGE];
            assertEquals(NaiveXbzrle.encode(test, buffer, PAGE, expected, PAGE), dlen, "trial " + trial);
            assertTrue(dlen > 0, "trial " + trial);
            int rc = XbzrleDecoder.decode(MemorySegment.ofArray(compressed), dlen, MemorySegment.ofArray(test), PAGE);
            assertTrue(rc < PAGE, "trial " + trial + " returned " + rc);
            assertArrayEquals(buffer, test, "trial " + trial);
        }
    }

    /** Off-heap buffers with slack, so pages can sit at unaligned offsets. */
    private record Buffers(MemorySegment old, MemorySegment cur, MemorySegment dst, MemorySegment page) {
        Buffers(Arena arena, int max) {
            this(arena.allocate(max + 16), arena.allocate(max + 16), arena.allocate(2 * max + 16),
                    arena.allocate(max + 16));
        }
    }

    private static void check(Buffers b, SplittableRandom random, byte[] old, byte[] cur, String what)
            throws StreamFormatException {
        int length = old.length;
        byte[] expected = new byte[Math.max(length, 2) + 2];
        int expectedLength = NaiveXbzrle.encode(old, cur, length, expected, length);

        // Heap segments at offset 0, QEMU's capacity of one page.
        byte[] dst = new byte[length];
        int n = XbzrleEncoder.encode(MemorySegment.ofArray(old), MemorySegment.ofArray(cur), length,
                MemorySegment.ofArray(dst), length);
        assertEquals(expectedLength, n, what);
        if (n > 0) {
            assertArrayEquals(Arrays.copyOf(expected, n), Arrays.copyOf(dst, n), what);
        }

        // Native memory at unaligned offsets, with a random capacity around the encoding's size.
        long oo = random.nextInt(8);
        long no = random.nextInt(8);
        long dOff = random.nextInt(8);
        MemorySegment.copy(MemorySegment.ofArray(old), 0, b.old(), oo, length);
        MemorySegment.copy(MemorySegment.ofArray(cur), 0, b.cur(), no, length);
        int capacity = pickCapacity(random, expectedLength, length);
        byte[] expectedAtCapacity = new byte[Math.max(capacity, 2) + 2];
        int atCapacity = NaiveXbzrle.encode(old, cur, length, expectedAtCapacity, capacity);
        int m = XbzrleEncoder.encode(b.old(), oo, b.cur(), no, length, b.dst(), dOff, capacity);
        assertEquals(atCapacity, m, what + " capacity " + capacity);
        if (m > 0) {
            assertArrayEquals(Arrays.copyOf(expectedAtCapacity, m),
                    b.dst().asSlice(dOff, m).toArray(ValueLayout.JAVA_BYTE), what + " capacity " + capacity);
        }

        if (n >= 0) {
            // Round trip onto the old page, in place.
            long po = random.nextInt(8);
            MemorySegment.copy(MemorySegment.ofArray(old), 0, b.page(), po, length);
            int end = XbzrleDecoder.decode(MemorySegment.ofArray(dst), 0, n, b.page(), po, length);
            assertArrayEquals(cur, b.page().asSlice(po, length).toArray(ValueLayout.JAVA_BYTE), what + " round trip");
            assertEquals(NaiveXbzrle.decode(dst, n, old.clone(), length), end, what);
            assertEquals(lastChange(old, cur) + 1, end, what + " end");
        }
    }

    private static int pickCapacity(SplittableRandom random, int encodedLength, int length) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(length + 3);
            case 1 -> Math.max(0, (encodedLength < 0 ? length : encodedLength) + random.nextInt(5) - 2);
            case 2 -> length + random.nextInt(32);
            default -> length;
        };
    }

    private static int lastChange(byte[] old, byte[] cur) {
        for (int i = old.length - 1; i >= 0; i--) {
            if (old[i] != cur[i]) {
                return i;
            }
        }
        return -1;
    }
}
