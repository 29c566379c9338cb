package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
}
