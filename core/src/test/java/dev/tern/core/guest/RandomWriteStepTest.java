package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.DirtyBitmap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the random workloads write, driven one step at a time without vCPU threads. */
class RandomWriteStepTest {
    private static final int BLOCK_A_PAGES = 300;
    private static final int BLOCK_B_PAGES = 100;

    /** A guest memory of two blocks with logging on, and the page each step wrote. */
    private static final class Rig implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final List<RamBlock> blocks = List.of(
                RamBlock.of("a", arena.allocate(BLOCK_A_PAGES * 4096L, 4096)),
                RamBlock.of("b", arena.allocate(BLOCK_B_PAGES * 4096L, 4096)));
        final ReferenceVcpus noThreads = new ReferenceVcpus(1, i -> () -> { });
        final SoftwareDirtyLog log = new SoftwareDirtyLog(blocks, arena, noThreads);
        final GuestMemory memory = new GuestMemory(
                new MemorySegment[] {blocks.get(0).memory(), blocks.get(1).memory()}, log);

        Rig() {
            log.start();
        }

        /** The global page number the last write marked. */
        long pageOfLastWrite() {
            long found = -1;
            for (int b = 0; b < blocks.size(); b++) {
                DirtyBitmap bitmap = new DirtyBitmap(blocks.get(b).usedLength() / 4096);
                if (log.syncInto(blocks.get(b), bitmap.words()) == 1) {
                    found = (b == 0 ? 0 : BLOCK_A_PAGES) + bitmap.nextSetBit(0);
                }
            }
            return found;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    @Test
    void uniformWritesReachEveryPageOfEveryBlock() {
        try (Rig rig = new Rig()) {
            VcpuCursor cursor = new VcpuCursor(RandomWriteStep.seedFor(0));
            RandomWriteStep step = new RandomWriteStep(rig.memory, cursor, 1, 1);
            int[] hits = new int[BLOCK_A_PAGES + BLOCK_B_PAGES];
            int writes = 40_000;
            for (int i = 0; i < writes; i++) {
                step.writeOne();
                long page = rig.pageOfLastWrite();
                assertTrue(page >= 0, "write " + i + " marked no page");
                hits[(int) page]++;
            }
            assertEquals(writes, cursor.passes());
            for (int page = 0; page < hits.length; page++) {
                // 100 expected per page; a fair generator is nowhere near these bounds.
                assertTrue(hits[page] > 40 && hits[page] < 200, "page " + page + " hit " + hits[page] + " times");
            }
        }
    }

    @Test
    void hotWritesGoToTheHotFractionWithTheHotProbability() {
        try (Rig rig = new Rig()) {
            VcpuCursor cursor = new VcpuCursor(RandomWriteStep.seedFor(3));
            // 10% of 400 pages: the first 40, all in block a.
            RandomWriteStep step = new RandomWriteStep(rig.memory, cursor, 0.1, 0.9);
            int hot = 0;
            int writes = 20_000;
            for (int i = 0; i < writes; i++) {
                step.writeOne();
                if (rig.pageOfLastWrite() < 40) {
                    hot++;
                }
            }
            double share = hot / (double) writes;
            assertTrue(share > 0.88 && share < 0.92, "hot share " + share);
        }
    }

    @Test
    void theSameGeneratorStateWritesTheSameSequence() {
        try (Rig one = new Rig(); Rig two = new Rig()) {
            VcpuCursor first = new VcpuCursor(RandomWriteStep.seedFor(1));
            RandomWriteStep a = new RandomWriteStep(one.memory, first, 0.2, 0.5);
            for (int i = 0; i < 500; i++) {
                a.writeOne();
            }
            one.pageOfLastWrite();
            // A second vCPU picks up from the first's progress, as a destination does.
            VcpuProgress handOver = first.progressAcquire();
            VcpuCursor second = new VcpuCursor(handOver.position());
            second.passesRelease(handOver.passes());
            RandomWriteStep b = new RandomWriteStep(two.memory, second, 0.2, 0.5);
            for (int i = 0; i < 200; i++) {
                a.writeOne();
                b.writeOne();
                assertEquals(one.pageOfLastWrite(), two.pageOfLastWrite(), "write " + i);
            }
            assertEquals(first.progressAcquire(), second.progressAcquire());
        }
    }

    @Test
    void vcpusStartFromDifferentStates() {
        assertTrue(RandomWriteStep.seedFor(0) != RandomWriteStep.seedFor(1));
    }
}
