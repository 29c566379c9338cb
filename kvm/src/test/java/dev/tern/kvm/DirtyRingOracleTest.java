package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ring tracker's pending bitmaps and syncs against a naive oracle (a BitSet per slot), with
 * random entries pushed into rings this test plays the kernel of, harvests and syncs
 * interleaved at random.
 */
@RequiresKvm
class DirtyRingOracleTest {
    private static final long PAGE = 4096;

    @Test
    void randomEntriesAreReportedOnceEachAndExactly() {
        Random random = new Random(20261126);
        long[] pageCounts = {200, 64, 1000};
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm(); Arena arena = Arena.ofShared()) {
            MemorySlot[] slots = new MemorySlot[pageCounts.length];
            long at = 0;
            for (int i = 0; i < slots.length; i++) {
                slots[i] = vm.createMemorySlot(i, at, pageCounts[i] * PAGE, false);
                at += 1L << 30;
            }
            RingDirtyTracker tracker = (RingDirtyTracker) KvmDirtyTracker.createRing(vm, 256);
            int entries = 64;
            Kernel[] kernels = {new Kernel(arena, 10, entries), new Kernel(arena, 11, entries)};
            for (Kernel kernel : kernels) {
                tracker.attach(kernel.ring);
            }
            tracker.start();
            BitSet[] oracle = {new BitSet(), new BitSet(), new BitSet()};
            for (int step = 0; step < 20_000; step++) {
                int action = random.nextInt(10);
                if (action < 7) {
                    Kernel kernel = kernels[random.nextInt(kernels.length)];
                    if (kernel.used() < entries) {
                        int slot = random.nextInt(slots.length);
                        long offset = random.nextInt((int) pageCounts[slot]);
                        kernel.push(slot, offset);
                        oracle[slot].set((int) offset);
                    }
                } else if (action < 8) {
                    tracker.harvest();
                    for (Kernel kernel : kernels) {
                        kernel.reset();
                    }
                } else {
                    int slot = random.nextInt(slots.length);
                    long[] words = new long[(int) DirtyBitmapWords.words(pageCounts[slot])];
                    long count = tracker.syncInto(slots[slot], MemorySegment.ofArray(words));
                    for (Kernel kernel : kernels) {
                        kernel.reset();
                    }
                    assertEquals(oracle[slot], BitSet.valueOf(words), "slot " + slot + " at step " + step);
                    assertEquals(oracle[slot].cardinality(), count);
                    oracle[slot].clear();
                }
            }
            tracker.close();
        }
    }

    @Test
    void aRingFullExitThatNeverFindsAnEntryStopsTheVcpuInsteadOfSpinning() {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm(); Arena arena = Arena.ofShared()) {
            vm.createMemorySlot(0, 0, 64 * PAGE, false);
            RingDirtyTracker tracker = (RingDirtyTracker) KvmDirtyTracker.createRing(vm, 256);
            Kernel kernel = new Kernel(arena, 0, 64);
            tracker.attach(kernel.ring);
            tracker.start();
            for (int i = 1; i < RingDirtyTracker.MAX_EMPTY_RING_FULLS; i++) {
                tracker.ringFull(0);
            }
            // One entry in between starts the count again.
            kernel.push(0, 3);
            tracker.ringFull(0);
            kernel.reset();
            for (int i = 1; i < RingDirtyTracker.MAX_EMPTY_RING_FULLS; i++) {
                tracker.ringFull(0);
            }
            KvmException e = assertThrows(KvmException.class, () -> tracker.ringFull(0));
            assertEquals("vCPU 0 stopped: KVM_EXIT_DIRTY_RING_FULL (31) 10000 times in a row with no dirty entry to"
                    + " harvest: the kernel's ring no longer matches its entries", e.getMessage());
            tracker.close();
        }
    }

    /** What KVM does with one vCPU's ring: pushes at its dirty index, frees from its reset index. */
    private static final class Kernel {
        final MemorySegment gfns;
        final VcpuDirtyRing ring;
        final int entries;
        int dirtyIndex;
        int resetIndex;

        Kernel(Arena arena, int vcpu, int entries) {
            this.entries = entries;
            this.gfns = arena.allocate(KvmStructs.DIRTY_GFN, entries);
            this.ring = new VcpuDirtyRing(vcpu, gfns, entries);
        }

        int used() {
            return dirtyIndex - resetIndex;
        }

        void push(int slot, long offset) {
            long base = (long) (dirtyIndex & (entries - 1)) * 16;
            gfns.set(JAVA_INT, base + 4, slot);
            gfns.set(JAVA_LONG, base + 8, offset);
            gfns.set(JAVA_INT, base, VcpuDirtyRing.F_DIRTY);
            dirtyIndex++;
        }

        void reset() {
            while (resetIndex != dirtyIndex) {
                long base = (long) (resetIndex & (entries - 1)) * 16;
                if ((gfns.get(JAVA_INT, base) & VcpuDirtyRing.F_RESET) == 0) {
                    return;
                }
                gfns.set(JAVA_INT, base, 0);
                resetIndex++;
            }
        }
    }
}
