package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SweepRamCheckTest {
    private static final SweepGuestProgram PROGRAM = new SweepGuestProgram(0x10_000, 0x20_000, 1);

    /** RAM from guest physical 0 with each sweep page's first byte as given. */
    private static MemorySegment ram(int... firstBytes) {
        MemorySegment ram = MemorySegment.ofArray(new byte[0x20_000]);
        for (int i = 0; i < firstBytes.length; i++) {
            ram.set(JAVA_BYTE, 0x10_000 + i * 4096L, (byte) firstBytes[i]);
        }
        return ram;
    }

    private static int[] pages(int value, int edgeAt) {
        int[] bytes = new int[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = i < edgeAt ? value : value - 1;
        }
        return bytes;
    }

    @Test
    void stoppedAtAPassBoundary() {
        SweepRamCheck check = SweepRamCheck.of(ram(pages(7, 16)), 0, PROGRAM);
        assertTrue(check.consistent());
        assertEquals(OptionalLong.empty(), check.edge());
        assertEquals("sweep [0x10000, 0x20000) consistent, first byte 7, stopped at a pass boundary", check.message());
    }

    @Test
    void stoppedInsideAPassWrappingMod256() {
        SweepRamCheck check = SweepRamCheck.of(ram(pages(0, 5)), 0, PROGRAM);
        assertTrue(check.consistent(), check::message);
        assertEquals(OptionalLong.of(0x15_000), check.edge());
        assertEquals("sweep [0x10000, 0x20000) consistent, first byte 0, stopped before page 0x15000", check.message());
    }

    @Test
    void aSecondStepDownOrAStepUpIsAnError() {
        int[] bytes = pages(9, 4);
        bytes[10] = 7;
        SweepRamCheck twoEdges = SweepRamCheck.of(ram(bytes), 0, PROGRAM);
        assertFalse(twoEdges.consistent());
        // The page after the stray one is compared with the stray byte, so it counts too.
        assertEquals(2, twoEdges.errorCount());
        assertEquals(List.of("Memory content inconsistency at 1a000 first_byte = 9 last_byte = 8 current = 7 hit_edge = 1",
                "Memory content inconsistency at 1b000 first_byte = 9 last_byte = 7 current = 8 hit_edge = 1"),
                twoEdges.errors());

        int[] up = pages(3, 16);
        up[2] = 4;
        SweepRamCheck stepUp = SweepRamCheck.of(ram(up), 0, PROGRAM);
        // 3 -> 4 is an error, and 4 -> 3 then reads as the edge, as in QEMU.
        assertEquals(1, stepUp.errorCount());
        assertEquals(OptionalLong.of(0x13_000), stepUp.edge());
        assertEquals("sweep [0x10000, 0x20000) inconsistent: 1 page breaks the pattern, first byte 3\n"
                + "Memory content inconsistency at 12000 first_byte = 3 last_byte = 3 current = 4 hit_edge = 0",
                stepUp.message());
    }

    @Test
    void reportsTheFirstTenOfManyErrors() {
        int[] bytes = new int[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = i * 2;
        }
        SweepRamCheck check = SweepRamCheck.of(ram(bytes), 0, PROGRAM);
        assertEquals(15, check.errorCount());
        assertEquals(10, check.errors().size());
        assertTrue(check.message().endsWith("\n... and 5 more"), check::message);
    }

    @Test
    void rangeMustBeInsideTheRam() {
        assertEquals("sweep range [0x10000, 0x20000) is outside the RAM at 0x0, 0x1f000 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> SweepRamCheck.of(MemorySegment.ofArray(new byte[0x1f000]), 0, PROGRAM)).getMessage());
        assertEquals("sweep range [0x10000, 0x20000) is outside the RAM at 0x11000, 0x20000 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> SweepRamCheck.of(MemorySegment.ofArray(new byte[0x20000]), 0x11000, PROGRAM)).getMessage());
    }
}
