package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The A-B workload and QEMU's RAM consistency check for it (spec 15.1, 15.2). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SweepTest {
    private static final long PAGE = 4096;

    /** A RAM whose page first bytes are the given values, starting at page 0. */
    private static MemorySegment ramWithFirstBytes(int... firstBytes) {
        MemorySegment ram = MemorySegment.ofArray(new byte[(int) (firstBytes.length * PAGE)]);
        for (int i = 0; i < firstBytes.length; i++) {
            ram.set(ValueLayout.JAVA_BYTE, i * PAGE, (byte) firstBytes[i]);
            // Other bytes of the page are the guest's business; the check ignores them.
            ram.set(ValueLayout.JAVA_BYTE, i * PAGE + 1, (byte) 0x77);
        }
        return ram;
    }

    @Test
    void aRunningSweepStopsConsistent() {
        long from = 1L << 20;
        long to = 3L << 20;
        try (ReferenceGuest guest = ReferenceGuest.builder()
                .ramBlock("pc.ram", 4L << 20)
                .vcpus(2)
                .workload(Workload.sequentialSweep(from, to))
                .build()) {
            guest.start();
            GuestProbes.await(() -> guest.passes() >= 3, "three passes");
            guest.referenceVcpus().pause();
            MemorySegment ram = guest.ramBlocks().get(0).memory();

            SweepCheck check = ReferenceGuest.checkSweep(ram, from, to);
            assertTrue(check.consistent(), check.message());
            VcpuProgress sweeper = guest.progress().get(0);
            assertEquals(new VcpuProgress(0, 0), guest.progress().get(1), "vCPU 1 idles");
            assertEquals(guest.passes(), sweeper.passes());
            // Pages before the position got one increment more than the rest.
            assertEquals(sweeper.position() == from ? OptionalLong.empty() : OptionalLong.of(sweeper.position()),
                    check.edgeOffset());
            int expectedFirst = (int) ((sweeper.passes() + (sweeper.position() == from ? 0 : 1)) & 0xff);
            assertEquals(expectedFirst, check.firstByte());
            // Outside the range nothing is written.
            assertEquals(-1, MemorySegment.mismatch(ram, 0, from, MemorySegment.ofArray(new byte[(int) from]), 0, from));
            assertEquals(0, ram.get(ValueLayout.JAVA_BYTE, from + 1), "only first bytes are incremented");
        }
    }

    @Test
    void aStopInsideAPassIsConsistentAndNamesTheEdge() {
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(9, 9, 9, 8, 8), 0, 5 * PAGE);
        assertTrue(check.consistent());
        assertEquals(9, check.firstByte());
        assertEquals(OptionalLong.of(3 * PAGE), check.edgeOffset());
        assertEquals(0, check.errorCount());
        assertEquals(List.of(), check.errors());
        assertEquals("sweep [0x0, 0x5000) consistent, first byte 9, stopped before page 0x3000", check.message());
    }

    @Test
    void aStopAtAPassBoundaryIsConsistent() {
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(0, 4, 4, 4, 4, 0), PAGE, 5 * PAGE);
        assertTrue(check.consistent());
        assertEquals(4, check.firstByte());
        assertEquals(OptionalLong.empty(), check.edgeOffset());
        assertEquals("sweep [0x1000, 0x5000) consistent, first byte 4, stopped at a pass boundary", check.message());
    }

    @Test
    void theCounterWrapsModulo256() {
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(0, 0, 0xff, 0xff), 0, 4 * PAGE);
        assertTrue(check.consistent(), check.message());
        assertEquals(OptionalLong.of(2 * PAGE), check.edgeOffset());
    }

    @Test
    void aSecondEdgeIsAnError() {
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(5, 5, 4, 4, 3, 3), 0, 6 * PAGE);
        assertFalse(check.consistent());
        assertEquals(1, check.errorCount());
        assertEquals(List.of("Memory content inconsistency at 4000 first_byte = 5 last_byte = 4 current = 3 hit_edge = 1"),
                check.errors());
        assertEquals("""
                sweep [0x0, 0x6000) inconsistent: 1 page breaks the pattern, first byte 5
                Memory content inconsistency at 4000 first_byte = 5 last_byte = 4 current = 3 hit_edge = 1""",
                check.message());
    }

    @Test
    void twoPositionsBreakingThePatternAreBothReported() {
        // A stale page (sent before its last increment) and a page one ahead (a lost update
        // the other way round): each differs from its neighbour twice.
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(7, 7, 3, 7, 7, 9, 7), 0, 7 * PAGE);
        assertFalse(check.consistent());
        assertEquals(4, check.errorCount());
        assertEquals(List.of(
                "Memory content inconsistency at 2000 first_byte = 7 last_byte = 7 current = 3 hit_edge = 0",
                "Memory content inconsistency at 3000 first_byte = 7 last_byte = 3 current = 7 hit_edge = 0",
                "Memory content inconsistency at 5000 first_byte = 7 last_byte = 7 current = 9 hit_edge = 0",
                "Memory content inconsistency at 6000 first_byte = 7 last_byte = 9 current = 7 hit_edge = 0"),
                check.errors());
        assertTrue(check.message().startsWith(
                "sweep [0x0, 0x7000) inconsistent: 4 pages break the pattern, first byte 7\n"), check.message());
    }

    @Test
    void onlyTheFirstTenErrorsAreSpelledOut() {
        int[] bytes = new int[30];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = i % 2 == 0 ? 1 : 50;
        }
        SweepCheck check = ReferenceGuest.checkSweep(ramWithFirstBytes(bytes), 0, bytes.length * PAGE);
        assertEquals(29, check.errorCount());
        assertEquals(SweepCheck.MAX_REPORTED, check.errors().size());
        assertTrue(check.message().endsWith("\n... and 19 more"), check.message());
    }

    @Test
    void unusableRangesAreRejected() {
        MemorySegment ram = ramWithFirstBytes(1, 1, 1, 1);
        assertEquals("sweep range [0x1000, 0x1000) is empty",
                assertThrows(IllegalArgumentException.class, () -> ReferenceGuest.checkSweep(ram, PAGE, PAGE))
                        .getMessage());
        assertEquals("sweep range [0x800, 0x2000) is not aligned to 4 KiB pages",
                assertThrows(IllegalArgumentException.class, () -> ReferenceGuest.checkSweep(ram, 2048, 2 * PAGE))
                        .getMessage());
        assertEquals("sweep range [0x0, 0x5000) is beyond the 0x4000 bytes of RAM",
                assertThrows(IllegalArgumentException.class, () -> ReferenceGuest.checkSweep(ram, 0, 5 * PAGE))
                        .getMessage());
        assertEquals("sweep range starts at a negative offset, -4096",
                assertThrows(IllegalArgumentException.class, () -> Workload.sequentialSweep(-PAGE, PAGE))
                        .getMessage());
        assertTrue(ReferenceGuest.checkSweep(ram, 3 * PAGE, 4 * PAGE).consistent(), "one page is always consistent");
    }

    @Test
    void theSweepMustFitTheFirstBlock() {
        assertEquals("sweep range [0x0, 0x3000) is beyond the 0x2000 bytes of RAM block \"low\"",
                assertThrows(IllegalStateException.class, () -> ReferenceGuest.builder()
                        .ramBlock("low", 2 * PAGE)
                        .ramBlock("high", 16 * PAGE)
                        .workload(Workload.sequentialSweep(0, 3 * PAGE))
                        .build()).getMessage());
    }
}
