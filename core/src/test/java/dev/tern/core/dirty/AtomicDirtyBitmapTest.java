package dev.tern.core.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AtomicDirtyBitmap} on one thread against {@link BitSet} as the oracle, over thousands
 * of random operation sequences and page counts around the word boundaries.
 */
class AtomicDirtyBitmapTest {
    private static final long[] SIZES = {0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 500, 4096 + 7};
    private static final byte SENTINEL = (byte) 0xA5;

    @Test
    void randomOperationSequencesAgreeWithBitSet() {
        for (int seed = 0; seed < 3000; seed++) {
            Random random = new Random(seed);
            long pages = SIZES[random.nextInt(SIZES.length)];
            try (Arena arena = Arena.ofConfined()) {
                AtomicDirtyBitmap bitmap = random.nextBoolean()
                        ? new AtomicDirtyBitmap(pages)
                        : new AtomicDirtyBitmap(arena.allocate(BitmapWords.bytesFor(pages) + 8, 8), pages);
                runSequence(bitmap, (int) pages, random, arena, "seed " + seed + ", " + pages + " pages");
            }
        }
    }

    private static void runSequence(AtomicDirtyBitmap bitmap, int pages, Random random, Arena arena, String where) {
        BitSet oracle = new BitSet(pages);
        for (int op = 0; op < 60; op++) {
            switch (random.nextInt(7)) {
                case 0, 1, 2 -> {
                    if (pages == 0) {
                        continue;
                    }
                    int page = random.nextInt(pages);
                    boolean wasClear = !oracle.get(page);
                    assertEquals(wasClear, bitmap.setRelease(page), where + ": setRelease(" + page + ")");
                    oracle.set(page);
                }
                case 3 -> {
                    if (pages == 0) {
                        continue;
                    }
                    int page = random.nextInt(pages);
                    assertEquals(oracle.get(page), bitmap.getAcquire(page), where + ": getAcquire(" + page + ")");
                }
                case 4 -> {
                    long from = random.nextInt(pages + 70);
                    long expected = from >= pages ? -1 : oracle.nextSetBit((int) from);
                    assertEquals(expected, bitmap.nextSetBit(from), where + ": nextSetBit(" + from + ")");
                }
                case 5 -> assertEquals(oracle.cardinality(), bitmap.cardinality(), where + ": cardinality");
                default -> {
                    if (random.nextInt(4) == 0) {
                        assertEquals(oracle.cardinality(), bitmap.clear(), where + ": clear");
                    } else {
                        drainAndCheck(bitmap, oracle, pages, random, arena, where);
                    }
                    oracle.clear();
                }
            }
        }
        assertEquals(oracle.cardinality(), bitmap.cardinality(), where + ": final cardinality");
    }

    /** Drains into a target that already holds random bits, at an odd address, with guard bytes behind it. */
    private static void drainAndCheck(AtomicDirtyBitmap bitmap, BitSet oracle, int pages, Random random,
            Arena arena, String where) {
        long bytes = BitmapWords.bytesFor(pages);
        MemorySegment backing = arena.allocate(bytes + 9, 8);
        MemorySegment target = backing.asSlice(1, bytes + 8);
        target.fill(SENTINEL);
        BitSet before = new BitSet(pages);
        for (int page = 0; page < pages; page++) {
            boolean set = random.nextInt(5) == 0;
            before.set(page, set);
            setBit(target, page, set);
        }
        for (long pad = pages; pad < bytes * 8; pad++) {
            setBit(target, pad, false);
        }

        assertEquals(oracle.cardinality(), bitmap.drainInto(target), where + ": drained count");

        BitSet expected = (BitSet) before.clone();
        expected.or(oracle);
        for (int page = 0; page < pages; page++) {
            assertEquals(expected.get(page), bit(target, page), where + ": target bit " + page);
        }
        for (long offset = bytes; offset < bytes + 8; offset++) {
            assertEquals(SENTINEL, target.get(ValueLayout.JAVA_BYTE, offset), where + ": wrote past the target");
        }
        assertEquals(0, bitmap.cardinality(), where + ": bits left after the drain");
        assertEquals(-1, bitmap.nextSetBit(0), where + ": nextSetBit after the drain");
    }

    /** Little-endian words mean page p is bit p % 8 of byte p / 8: an oracle for the layout itself. */
    static boolean bit(MemorySegment words, long page) {
        return (words.get(ValueLayout.JAVA_BYTE, page >>> 3) & (1 << (page & 7))) != 0;
    }

    static void setBit(MemorySegment words, long page, boolean value) {
        byte b = words.get(ValueLayout.JAVA_BYTE, page >>> 3);
        int mask = 1 << (page & 7);
        words.set(ValueLayout.JAVA_BYTE, page >>> 3, (byte) (value ? b | mask : b & ~mask));
    }

    @Test
    void drainCountsPagesTheTargetAlreadyHad() {
        AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(130);
        bitmap.setRelease(3);
        bitmap.setRelease(129);
        MemorySegment target = MemorySegment.ofArray(new long[3]);
        setBit(target, 3, true);
        assertEquals(2, bitmap.drainInto(target));
        assertTrue(bit(target, 3));
        assertTrue(bit(target, 129));
        assertEquals(0, bitmap.drainInto(target));
    }

    @Test
    void pageNumbersOutsideTheBitmapAreRejected() {
        AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(65);
        assertEquals("page 65 outside a bitmap of 65 pages",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.setRelease(65)).getMessage());
        assertEquals("page -1 outside a bitmap of 65 pages",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.getAcquire(-1)).getMessage());
        assertEquals("page -1 is negative",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.nextSetBit(-1)).getMessage());
        assertTrue(bitmap.setRelease(64));
        assertFalse(bitmap.setRelease(64));
        assertEquals(-1, bitmap.nextSetBit(65));
    }

    @Test
    void unsuitableSegmentsAreRejected() {
        assertEquals("bitmap segment of 8 bytes is too small for 65 pages (needs 16)",
                assertThrows(IllegalArgumentException.class,
                        () -> new AtomicDirtyBitmap(MemorySegment.ofArray(new long[1]), 65)).getMessage());
        assertEquals("bitmap segment is read-only",
                assertThrows(IllegalArgumentException.class,
                        () -> new AtomicDirtyBitmap(MemorySegment.ofArray(new long[1]).asReadOnly(), 64))
                        .getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment odd = arena.allocate(24, 8).asSlice(4, 16);
            assertEquals("bitmap segment is not 8-byte aligned, atomic access needs that",
                    assertThrows(IllegalArgumentException.class, () -> new AtomicDirtyBitmap(odd, 64)).getMessage());
        }
        assertEquals("page count -1 is negative",
                assertThrows(IllegalArgumentException.class, () -> new AtomicDirtyBitmap(-1)).getMessage());
        AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(129);
        assertEquals("target bitmap of 16 bytes is too small for 129 pages (needs 24)",
                assertThrows(IllegalArgumentException.class,
                        () -> bitmap.drainInto(MemorySegment.ofArray(new long[2]))).getMessage());
    }

    @Test
    void aCallerSegmentStartsClear() {
        MemorySegment words = MemorySegment.ofArray(new long[] {-1L, -1L});
        AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(words, 100);
        assertEquals(0, bitmap.cardinality());
        assertEquals(-1, bitmap.nextSetBit(0));
    }
}
