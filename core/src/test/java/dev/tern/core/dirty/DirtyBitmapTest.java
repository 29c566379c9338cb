package dev.tern.core.dirty;

import static dev.tern.core.dirty.AtomicDirtyBitmapTest.bit;
import static dev.tern.core.dirty.AtomicDirtyBitmapTest.setBit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DirtyBitmap} against {@link BitSet} over thousands of random operation sequences. */
class DirtyBitmapTest {
    private static final long[] SIZES = {0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 500, 4096 + 7};

    @Test
    void randomOperationSequencesAgreeWithBitSet() {
        for (int seed = 0; seed < 3000; seed++) {
            Random random = new Random(seed);
            int pages = (int) SIZES[random.nextInt(SIZES.length)];
            try (Arena arena = Arena.ofConfined()) {
                DirtyBitmap bitmap = random.nextBoolean()
                        ? new DirtyBitmap(pages)
                        // Odd address: the engine's bitmaps need no alignment.
                        : new DirtyBitmap(arena.allocate(BitmapWords.bytesFor(pages) + 1).asSlice(1), pages);
                runSequence(bitmap, pages, random, "seed " + seed + ", " + pages + " pages");
            }
        }
    }

    private static void runSequence(DirtyBitmap bitmap, int pages, Random random, String where) {
        BitSet oracle = new BitSet(pages);
        for (int op = 0; op < 80; op++) {
            int page = pages == 0 ? 0 : random.nextInt(pages);
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    if (pages > 0) {
                        bitmap.set(page);
                        oracle.set(page);
                    }
                }
                case 2 -> {
                    if (pages > 0) {
                        assertEquals(oracle.get(page), bitmap.get(page), where + ": get(" + page + ")");
                    }
                }
                case 3, 4 -> {
                    if (pages > 0) {
                        assertEquals(oracle.get(page), bitmap.testAndClear(page), where + ": testAndClear(" + page + ")");
                        oracle.clear(page);
                    }
                }
                case 5 -> {
                    if (random.nextInt(6) == 0) {
                        bitmap.setAll();
                        oracle.set(0, pages);
                    } else if (random.nextInt(6) == 0) {
                        bitmap.clearAll();
                        oracle.clear();
                    }
                }
                case 6 -> assertEquals(oracle.cardinality(), bitmap.count(), where + ": count");
                case 7 -> {
                    // A dirty log ORs straight into the words, behind the bitmap's back.
                    if (pages > 0) {
                        setBit(bitmap.words(), page, true);
                        oracle.set(page);
                    }
                }
                default -> {
                    long from = random.nextInt(pages + 70);
                    long expected = from >= pages ? -1 : oracle.nextSetBit((int) from);
                    assertEquals(expected, bitmap.nextSetBit(from), where + ": nextSetBit(" + from + ")");
                }
            }
        }
        for (int page = 0; page < pages; page++) {
            assertEquals(oracle.get(page), bit(bitmap.words(), page), where + ": word layout at page " + page);
        }
        long walked = 0;
        for (long page = bitmap.nextSetBit(0); page >= 0; page = bitmap.nextSetBit(page + 1)) {
            walked++;
        }
        assertEquals(oracle.cardinality(), walked, where + ": pages walked with nextSetBit");
    }

    @Test
    void setAllLeavesTheBitsPastTheLastPageClear() {
        DirtyBitmap bitmap = new DirtyBitmap(65);
        bitmap.setAll();
        assertEquals(65, bitmap.count());
        assertEquals(16, bitmap.words().byteSize());
        for (long bit = 65; bit < 128; bit++) {
            assertFalse(bit(bitmap.words(), bit), "bit " + bit);
        }
        assertEquals(64, bitmap.nextSetBit(64));
        assertEquals(-1, bitmap.nextSetBit(65));
    }

    @Test
    void drainingAnAtomicBitmapIntoItsWordsFeedsTheScanner() {
        AtomicDirtyBitmap log = new AtomicDirtyBitmap(200);
        DirtyBitmap engine = new DirtyBitmap(200);
        engine.set(5);
        log.setRelease(5);
        log.setRelease(70);
        log.setRelease(199);
        assertEquals(3, log.drainInto(engine.words()));
        assertEquals(3, engine.count());
        assertEquals(70, engine.nextSetBit(6));
        assertTrue(engine.testAndClear(70));
        assertFalse(engine.testAndClear(70));
        assertEquals(199, engine.nextSetBit(6));
    }

    @Test
    void pagesOutsideTheBitmapAreRejected() {
        DirtyBitmap bitmap = new DirtyBitmap(10);
        assertEquals("page 10 outside a bitmap of 10 pages",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.set(10)).getMessage());
        assertEquals("page -1 outside a bitmap of 10 pages",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.testAndClear(-1)).getMessage());
        assertEquals("page -3 is negative",
                assertThrows(IndexOutOfBoundsException.class, () -> bitmap.nextSetBit(-3)).getMessage());
        assertEquals("bitmap segment of 8 bytes is too small for 65 pages (needs 16)",
                assertThrows(IllegalArgumentException.class,
                        () -> new DirtyBitmap(MemorySegment.ofArray(new long[1]), 65)).getMessage());
        assertEquals("bitmap segment is read-only",
                assertThrows(IllegalArgumentException.class,
                        () -> new DirtyBitmap(MemorySegment.ofArray(new long[1]).asReadOnly(), 64)).getMessage());
    }
}
