package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ring index arithmetic and the flag protocol, against a ring this test plays the kernel of. */
class VcpuDirtyRingTest {
    private static final int ENTRIES = 8;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment gfns = arena.allocate(KvmStructs.DIRTY_GFN, ENTRIES);
    private final VcpuDirtyRing ring = new VcpuDirtyRing(3, gfns, ENTRIES);
    private final List<String> seen = new ArrayList<>();
    // The kernel's own index: where it pushes next, and where its reset resumes.
    private int dirtyIndex;
    private int resetIndex;

    @AfterEach
    void free() {
        arena.close();
    }

    private void push(int slot, long offset) {
        long base = (long) (dirtyIndex & (ENTRIES - 1)) * 16;
        assertEquals(0, gfns.get(JAVA_INT, base), "the kernel only pushes into a free entry");
        gfns.set(JAVA_INT, base + 4, slot);
        gfns.set(JAVA_LONG, base + 8, offset);
        gfns.set(JAVA_INT, base, VcpuDirtyRing.F_DIRTY);
        dirtyIndex++;
    }

    /** What KVM_RESET_DIRTY_RINGS does: frees the entries marked RESET, in order. */
    private int kernelReset() {
        int count = 0;
        while (true) {
            long base = (long) (resetIndex & (ENTRIES - 1)) * 16;
            if ((gfns.get(JAVA_INT, base) & VcpuDirtyRing.F_RESET) == 0) {
                return count;
            }
            gfns.set(JAVA_INT, base, 0);
            resetIndex++;
            count++;
        }
    }

    private int harvest() {
        return ring.harvest((slot, offset) -> seen.add(slot + ":" + offset));
    }

    private int flags(int index) {
        return gfns.get(JAVA_INT, (long) index * 16);
    }

    @Test
    void emptyRingYieldsNothing() {
        assertEquals(0, harvest());
        assertEquals(0, ring.fetchIndex());
        assertEquals(List.of(), seen);
    }

    @Test
    void harvestsInPushOrderAndMarksEachEntryReset() {
        push(0, 5);
        push(1, 7);
        push(0x1_0002, 9);
        assertEquals(3, harvest());
        assertEquals(List.of("0:5", "1:7", "65538:9"), seen);
        assertEquals(VcpuDirtyRing.F_RESET, flags(0));
        assertEquals(VcpuDirtyRing.F_RESET, flags(1));
        assertEquals(VcpuDirtyRing.F_RESET, flags(2));
        assertEquals(0, flags(3));
        assertEquals(3, ring.fetchIndex());
        assertEquals(3, ring.reaped());
        assertEquals(3, kernelReset());
    }

    @Test
    void stopsAtAnEntryNotYetPublishedAndResumesThere() {
        push(0, 1);
        push(0, 2);
        assertEquals(2, harvest());
        // Harvested but not reset by the kernel yet: the entries read RESET, not DIRTY.
        assertEquals(0, harvest());
        push(0, 3);
        assertEquals(1, harvest());
        assertEquals(List.of("0:1", "0:2", "0:3"), seen);
        assertEquals(3, kernelReset());
    }

    @Test
    void wrapsAroundTheRingMoreThanOnce() {
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 5; i++) {
                push(round, i);
            }
            assertEquals(5, harvest());
            assertEquals(5, kernelReset());
        }
        assertEquals(25, ring.fetchIndex());
        assertEquals(25, ring.reaped());
        assertEquals(25, seen.size());
        assertEquals("4:4", seen.get(24));
        assertEquals("2:0", seen.get(10));
    }

    @Test
    void aFullRingIsHarvestedOnceAround() {
        for (int i = 0; i < ENTRIES; i++) {
            push(0, i);
        }
        assertEquals(ENTRIES, harvest());
        assertEquals(0, harvest(), "every entry is RESET now, none DIRTY");
        assertEquals(ENTRIES, kernelReset());
    }

    @Test
    void resyncMarksTheSkippedEntriesSoThatTheKernelResetCatchesUp() {
        for (int i = 0; i < 5; i++) {
            push(0, i);
        }
        assertEquals(5, harvest());
        assertEquals(5, kernelReset());
        // The kernel's pushes went on three entries further while its reset index stayed at 5
        // (seen on a PVM host at ring-full exits): without the skipped entries marked, its reset
        // would stop at entry 5 for good and the vCPU would exit ring-full forever.
        dirtyIndex = 8;
        push(1, 100);
        push(1, 101);
        assertEquals(0, harvest(), "entry 5 is not dirty");
        assertEquals(true, ring.resync());
        assertEquals(8, ring.fetchIndex());
        assertEquals(VcpuDirtyRing.F_RESET, flags(5));
        assertEquals(VcpuDirtyRing.F_RESET, flags(7));
        assertEquals(2, harvest());
        assertEquals(5, kernelReset(), "the three skipped entries and the two harvested ones");
        assertEquals(10, resetIndex);
        assertEquals(0, flags(0), "entry 8 is entry 0 of a ring of 8");
    }

    @Test
    void aDirtyEntryBehindTheFetchIndexIsNoResyncTargetButAStraggler() {
        for (int i = 0; i < 5; i++) {
            push(0, i);
        }
        assertEquals(5, harvest());
        // Entry 1 was consumed but the kernel's reset waits there, and it is dirty again.
        gfns.set(JAVA_INT, 16 + 4, 2);
        gfns.set(JAVA_LONG, 16 + 8, 200L);
        gfns.set(JAVA_INT, 16, VcpuDirtyRing.F_DIRTY);
        resetIndex = 1;
        assertEquals(false, ring.resync(), "four entries ahead of index 5 is more than half a ring of 8");
        assertEquals(5, ring.fetchIndex());
        assertEquals(1, ring.harvestStragglers((slot, offset) -> seen.add(slot + ":" + offset)));
        assertEquals("2:200", seen.getLast());
        assertEquals(5, ring.fetchIndex());
        assertEquals(4, kernelReset(), "entries 1 to 4");
        assertEquals(6, ring.reaped());
    }

    @Test
    void resyncLeavesAConformingRingAlone() {
        assertEquals(false, ring.resync(), "empty ring");
        push(0, 1);
        push(0, 2);
        assertEquals(false, ring.resync(), "the dirty run starts at the fetch index");
        assertEquals(0, ring.fetchIndex());
        assertEquals(2, harvest());
        assertEquals(false, ring.resync(), "only RESET entries");
    }

    @Test
    void sizeIsChecked() {
        assertEquals("a dirty ring of 6 entries needs a power of two and 96 bytes, got 128",
                assertThrows(IllegalArgumentException.class, () -> new VcpuDirtyRing(0, gfns, 6)).getMessage());
        assertEquals("a dirty ring of 16 entries needs a power of two and 256 bytes, got 128",
                assertThrows(IllegalArgumentException.class, () -> new VcpuDirtyRing(0, gfns, 16)).getMessage());
    }
}
