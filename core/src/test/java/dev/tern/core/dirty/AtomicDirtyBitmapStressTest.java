package dev.tern.core.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many writers mark pages while one thread drains over and over, the way vCPUs and the
 * migration thread share a dirty log. Checked invariants: every page a writer marked shows up in
 * the union of the drains (none lost), no page shows up that nobody marked, and, the property
 * that makes write-then-mark safe, the drainer's last look at every page saw the writer's last
 * value (a later write is never left unmarked behind an earlier drain).
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AtomicDirtyBitmapStressTest {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int WRITERS = Math.max(4, Runtime.getRuntime().availableProcessors());
    private static final int PAGES = 64 * 40 + 17;
    private static final int WRITES_PER_WRITER = 300_000;

    @Test
    void noMarkIsLostAndNoValueIsLeftUnmarked() throws Exception {
        for (int round = 0; round < 20; round++) {
            runRound(round);
        }
    }

    private static void runRound(int round) throws Exception {
        AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(PAGES);
        // The "guest memory": writer w owns the pages p with p % WRITERS == w and stores an
        // increasing version into them, so the last version of each page is known.
        long[] memory = new long[PAGES];
        BitSet[] marked = new BitSet[WRITERS];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            marked[w] = new BitSet(PAGES);
            writers.add(Thread.ofPlatform().name("stress-writer-" + w).start(() -> {
                SplittableRandom random = new SplittableRandom(round * 1000L + writer);
                long version = 0;
                await(go);
                int owned = (PAGES - writer + WRITERS - 1) / WRITERS;
                for (int i = 0; i < WRITES_PER_WRITER; i++) {
                    // Mostly a narrow hot range, so writers collide on the same words.
                    int slot = random.nextInt(4) == 0 ? random.nextInt(owned) : random.nextInt(Math.min(owned, 8));
                    int page = slot * WRITERS + writer;
                    SLOT.setOpaque(memory, page, ++version);
                    bitmap.setRelease(page);
                    marked[writer].set(page);
                }
            }));
        }

        AtomicBoolean writing = new AtomicBoolean(true);
        long[] lastSeen = new long[PAGES];
        BitSet union = new BitSet(PAGES);
        long movedTotal = 0;
        int drains = 0;
        go.countDown();
        Thread stopper = Thread.ofPlatform().start(() -> {
            for (Thread t : writers) {
                joinQuietly(t);
            }
            writing.set(false);
        });
        boolean last = false;
        while (!last) {
            last = !writing.get();
            MemorySegment target = MemorySegment.ofArray(new long[(int) BitmapWords.wordsFor(PAGES)]);
            movedTotal += bitmap.drainInto(target);
            drains++;
            for (int page = 0; page < PAGES; page++) {
                if (AtomicDirtyBitmapTest.bit(target, page)) {
                    union.set(page);
                    // Acquire: drainInto took the bit, so the store behind it must be visible.
                    lastSeen[page] = (long) SLOT.getAcquire(memory, page);
                }
            }
        }
        stopper.join();

        BitSet oracle = new BitSet(PAGES);
        for (BitSet b : marked) {
            oracle.or(b);
        }
        assertEquals(oracle, union, "round " + round + ": pages drained differ from pages marked");
        assertEquals(oracle.cardinality(), union.cardinality(), "round " + round + ": distinct pages");
        assertTrue(movedTotal >= oracle.cardinality(), "round " + round + ": every page moved at least once");
        assertEquals(0, bitmap.cardinality(), "round " + round + ": bits left after the final drain");
        for (int page = 0; page < PAGES; page++) {
            assertEquals(memory[page], lastSeen[page],
                    "round " + round + ": page " + page + " changed after the last drain that saw it ("
                            + drains + " drains)");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
