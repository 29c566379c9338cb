package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockWindowsTest {
    @Test
    void pagesMapToTheirBytesAcrossWindows() {
        MemorySegment m = Arena.ofAuto().allocate(10 * 4096);
        BlockWindows w = new BlockWindows(m, 9 * 4096, 4 * 4096);
        for (int p = 0; p < 9; p++) {
            ByteBuffer page = w.page(p * 4096L, 4096);
            assertTrue(page.isDirect());
            assertEquals(4096, page.remaining());
            page.put(page.position(), (byte) (p + 1));
            page.put(page.limit() - 1, (byte) (p + 100));
        }
        for (int p = 0; p < 9; p++) {
            assertEquals(p + 1, m.get(ValueLayout.JAVA_BYTE, p * 4096L));
            assertEquals(p + 100, m.get(ValueLayout.JAVA_BYTE, p * 4096L + 4095));
        }
        assertSame(w.page(0, 4096), w.page(4096, 4096), "one buffer per window, reused");
        assertEquals(9 * 4096, w.length());
    }

    @Test
    void pagesOutsideTheUsedLengthOrAcrossAWindowAreRefused() {
        MemorySegment m = Arena.ofAuto().allocate(10 * 4096);
        BlockWindows w = new BlockWindows(m, 9 * 4096, 4 * 4096);
        assertThrows(IndexOutOfBoundsException.class, () -> w.page(9 * 4096L, 4096), "beyond the used length");
        assertThrows(IndexOutOfBoundsException.class, () -> w.page(-4096, 4096));
        assertThrows(IllegalArgumentException.class, () -> w.page(3 * 4096L + 2048, 4096));
        ByteBuffer last = w.page(8 * 4096L, 4096);
        assertEquals(4096, last.capacity(), "the last window stops at the used length");
    }

    @Test
    void geometryIsChecked() {
        MemorySegment m = Arena.ofAuto().allocate(4096);
        assertThrows(IllegalArgumentException.class, () -> new BlockWindows(m, 8192));
        assertThrows(IllegalArgumentException.class, () -> new BlockWindows(m, 4096, 3000));
        assertThrows(IllegalArgumentException.class, () -> new BlockWindows(m, 4096, 1L << 31));
        assertEquals(0, new BlockWindows(m, 0).length());
    }

    @Test
    void blocksBeyondTwoGigabytesUseSeveralWindows(@TempDir Path dir) throws IOException {
        long size = (3L << 30) + 8192;
        try (Arena arena = Arena.ofConfined();
                FileChannel file = FileChannel.open(dir.resolve("ram"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            MemorySegment m = file.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            BlockWindows w = new BlockWindows(m, size);
            long[] offsets = {0, (1L << 30) - 4096, 1L << 30, (1L << 31) + 4096, 3L << 30, size - 4096};
            for (int i = 0; i < offsets.length; i++) {
                ByteBuffer page = w.page(offsets[i], 4096);
                page.putLong(page.position(), 0x1111_0000L + i);
            }
            for (int i = 0; i < offsets.length; i++) {
                assertEquals(0x1111_0000L + i, m.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                        offsets[i]));
            }
        }
    }
}
