package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The harness's guest RAM contents. */
class RamPatternTest {
    private static final long PAGES = 4096;

    private static boolean zeroPage(MemorySegment ram, long page) {
        for (long o = 0; o < RamPattern.PAGE; o += 8) {
            if (ram.get(ValueLayout.JAVA_LONG, page * RamPattern.PAGE + o) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void sameSeedSameBytesAndTheShareOfPagesAsked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(PAGES * RamPattern.PAGE, RamPattern.PAGE);
            MemorySegment b = arena.allocate(PAGES * RamPattern.PAGE, RamPattern.PAGE);
            long filled = RamPattern.fill(a, 100, 42);
            assertEquals(filled, RamPattern.fill(b, 100, 42));
            assertEquals(-1, a.mismatch(b), "the QEMU file and the Tern guest must start identical");
            // 10% of 4096 pages, with the spread of a fair hash
            assertTrue(filled > 330 && filled < 490, "filled " + filled);
            long nonZero = 0;
            for (long p = 0; p < PAGES; p++) {
                nonZero += zeroPage(a, p) ? 0 : 1;
            }
            assertEquals(filled, nonZero, "every filled page is a normal page, every other one a zero page");
        }
    }

    @Test
    void seedAndShareChangeTheContents() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(PAGES * RamPattern.PAGE, RamPattern.PAGE);
            MemorySegment b = arena.allocate(PAGES * RamPattern.PAGE, RamPattern.PAGE);
            RamPattern.fill(a, 100, 1);
            RamPattern.fill(b, 100, 2);
            assertNotEquals(-1, a.mismatch(b));
            MemorySegment none = arena.allocate(PAGES * RamPattern.PAGE, RamPattern.PAGE);
            assertEquals(0, RamPattern.fill(none, 0, 1));
            MemorySegment all = arena.allocate(16 * RamPattern.PAGE, RamPattern.PAGE);
            assertEquals(16, RamPattern.fill(all, 1000, 1));
        }
    }

    /** zlib level 1 (QEMU's default compress-level and multifd-zlib-level) over the whole region. */
    private static double deflatedShare(MemorySegment ram) {
        byte[] input = ram.toArray(ValueLayout.JAVA_BYTE);
        Deflater deflater = new Deflater(1);
        deflater.setInput(input);
        deflater.finish();
        byte[] out = new byte[input.length + 1024];
        long total = 0;
        while (!deflater.finished()) {
            total += deflater.deflate(out);
        }
        deflater.end();
        return (double) total / input.length;
    }

    @Test
    void halfCompressiblePagesShrinkToAboutHalfAndNoneIsZero() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment half = arena.allocate(256 * RamPattern.PAGE, RamPattern.PAGE);
            assertEquals(256, RamPattern.fill(half, 1000, RamPattern.Kind.HALF_COMPRESSIBLE, 7));
            for (long p = 0; p < 256; p++) {
                assertFalse(zeroPage(half, p), "page " + p);
                assertNotEquals(half.get(ValueLayout.JAVA_LONG, p * RamPattern.PAGE),
                        half.get(ValueLayout.JAVA_LONG, p * RamPattern.PAGE + RamPattern.PAGE - 8),
                        "the random half and the repeated half differ");
            }
            double share = deflatedShare(half);
            assertTrue(share > 0.45 && share < 0.6, "half-compressible deflates to " + share);
            MemorySegment random = arena.allocate(256 * RamPattern.PAGE, RamPattern.PAGE);
            RamPattern.fill(random, 1000, RamPattern.Kind.RANDOM, 7);
            assertTrue(deflatedShare(random) > 0.99, "random data does not deflate");
            assertNotEquals(-1, half.mismatch(random));
            assertEquals(-1, half.asSlice(0, RamPattern.PAGE / 2).mismatch(random.asSlice(0, RamPattern.PAGE / 2)),
                    "the random half is the RANDOM kind's first half");
        }
    }
}
