package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZeroPagesTest {
    private static boolean naive(MemorySegment m, long offset, long length) {
        for (long i = offset; i < offset + length; i++) {
            if (m.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void agreesWithANaiveByteLoop() {
        SplittableRandom random = new SplittableRandom(42);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(64 * 1024);
            for (int round = 0; round < 5000; round++) {
                m.fill((byte) 0);
                int dirty = random.nextInt(4);
                for (int d = 0; d < dirty; d++) {
                    m.set(ValueLayout.JAVA_BYTE, random.nextInt(64 * 1024), (byte) (1 + random.nextInt(255)));
                }
                long offset = random.nextInt(32 * 1024);
                long length = random.nextInt(32 * 1024);
                assertEquals(naive(m, offset, length), ZeroPages.isZero(m, offset, length),
                        "round " + round + " offset " + offset + " length " + length);
                MemorySegment page = m.asSlice(offset, length);
                assertEquals(naive(page, 0, length), ZeroPages.isZero(page));
            }
        }
    }

    @Test
    void edgesOfAPage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(3 * 4096);
            assertTrue(ZeroPages.isZero(m));
            m.set(ValueLayout.JAVA_BYTE, 4095, (byte) 1);
            assertFalse(ZeroPages.isZero(m, 0, 4096), "last byte of the page");
            assertTrue(ZeroPages.isZero(m, 4096, 4096));
            m.set(ValueLayout.JAVA_BYTE, 3 * 4096 - 1, (byte) 0x80);
            assertFalse(ZeroPages.isZero(m, 8192, 4096));
            assertTrue(ZeroPages.isZero(m, 8192, 4095));
            assertTrue(ZeroPages.isZero(m, 5, 0));
            ZeroPages.clear(m, 0, m.byteSize());
            assertTrue(ZeroPages.isZero(m));
            assertThrows(IndexOutOfBoundsException.class, () -> ZeroPages.isZero(m, 8192, 4097));
        }
    }

    @Test
    void checkingAPageDoesNotAllocate() {
        MemorySegment m = Arena.ofAuto().allocate(1 << 20);
        boolean[] sink = new boolean[1];
        long allocated = AllocationMeter.measure(() -> {
            for (int i = 0; i < 20_000; i++) {
                sink[0] ^= ZeroPages.isZero(m, (i & 255) * 4096L, 4096);
            }
        });
        assertTrue(allocated < 16 * 1024, "allocated " + allocated);
    }
}
