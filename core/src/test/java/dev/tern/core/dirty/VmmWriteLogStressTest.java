package dev.tern.core.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Device threads report writes over three blocks while the migration thread drains over and
 * over, as during a precopy. Checked: the union of every drain plus a final one is exactly the
 * set of pages the producers reported (nothing lost, nothing invented), each drain's count is
 * what it set, and, what makes write-then-report safe, the drainer's last look at every page saw
 * the producer's last store to it. Run with the default ring (mostly the ring path), a small one
 * (ring and overflow interleaved) and the smallest (mostly overflow).
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VmmWriteLogStressTest {
    private static final VarHandle VERSION = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int P = 4096;
    private static final int PRODUCERS = 8;
    private static final int WRITES_PER_PRODUCER = 100_000;
    private static final int ROUNDS = 3;
    /** Producer w owns the stripes s of block b with (s + b) % PRODUCERS == w. */
    private static final int STRIPE_PAGES = 16;
    private static final int[] PAGES = {64 * 40 + 17, 1000, 64 * 64 + 5};

    @ParameterizedTest
    @ValueSource(ints = {VmmWriteLog.DEFAULT_RING_BYTES, 4096, VmmWriteLog.MIN_RING_BYTES})
    void everyReportedPageIsDrainedExactlyAndAfterItsWrite(int ringBytes) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            runRound(ringBytes, round);
        }
    }

    private static void runRound(int ringBytes, int round) throws Exception {
        Arena arena = Arena.ofAuto();
        RamBlock[] blocks = new RamBlock[PAGES.length];
        long[][] versions = new long[PAGES.length][];
        for (int b = 0; b < blocks.length; b++) {
            blocks[b] = RamBlock.of("block" + b, arena.allocate((long) PAGES[b] * P, P));
            versions[b] = new long[PAGES[b]];
        }
        VmmWriteLog log = new VmmWriteLog(List.of(blocks), ringBytes);

        BitSet[][] reported = new BitSet[PRODUCERS][PAGES.length];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int w = 0; w < PRODUCERS; w++) {
            int producer = w;
            for (int b = 0; b < PAGES.length; b++) {
                reported[w][b] = new BitSet(PAGES[b]);
            }
            producers.add(Thread.ofPlatform().name("device-" + w).start(() -> {
                try {
                    await(go);
                    produce(producer, ringBytes * 31L + round * 1009L, log, blocks, versions, reported[producer]);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }

        DirtyBitmap[] scratch = new DirtyBitmap[PAGES.length];
        BitSet[] union = new BitSet[PAGES.length];
        long[][] lastSeen = new long[PAGES.length][];
        for (int b = 0; b < PAGES.length; b++) {
            scratch[b] = new DirtyBitmap(PAGES[b]);
            union[b] = new BitSet(PAGES[b]);
            lastSeen[b] = new long[PAGES[b]];
        }
        go.countDown();
        int drains = 0;
        while (producers.stream().anyMatch(Thread::isAlive)) {
            drainAll(log, blocks, versions, scratch, union, lastSeen);
            drains++;
        }
        for (Thread t : producers) {
            t.join();
        }
        if (failure.get() != null) {
            fail("a producer failed", failure.get());
        }
        drainAll(log, blocks, versions, scratch, union, lastSeen);

        for (int b = 0; b < PAGES.length; b++) {
            BitSet expected = new BitSet(PAGES[b]);
            for (int w = 0; w < PRODUCERS; w++) {
                expected.or(reported[w][b]);
            }
            assertEquals(expected, union[b], "round " + round + ", block " + b + " after " + drains + " drains");
            for (int p = expected.nextSetBit(0); p >= 0; p = expected.nextSetBit(p + 1)) {
                if (lastSeen[b][p] != versions[b][p]) {
                    fail("round " + round + ", block " + b + " page " + p + ": the drainer last saw version " + lastSeen[b][p]
                            + " but the producer's last write was " + versions[b][p]);
                }
            }
        }
    }

    private static void produce(int producer, long seed, VmmWriteLog log, RamBlock[] blocks, long[][] versions,
            BitSet[] reported) {
        SplittableRandom random = new SplittableRandom(seed * 8 + producer);
        long version = 0;
        for (int i = 0; i < WRITES_PER_PRODUCER; i++) {
            int b = random.nextInt(blocks.length);
            int stripes = (PAGES[b] + STRIPE_PAGES - 1) / STRIPE_PAGES;
            int owned = (stripes - 1 - ((producer - b + PRODUCERS) % PRODUCERS)) / PRODUCERS + 1;
            // Mostly a few hot stripes, so producers collide on the same bitmap words.
            int k = random.nextInt(4) == 0 ? random.nextInt(owned) : random.nextInt(Math.min(owned, 2));
            int stripe = k * PRODUCERS + (producer - b + PRODUCERS) % PRODUCERS;
            int stripeStart = stripe * STRIPE_PAGES;
            int stripeEnd = Math.min(stripeStart + STRIPE_PAGES, PAGES[b]);
            int first = stripeStart + random.nextInt(stripeEnd - stripeStart);
            // Half single pages, half runs of up to the rest of the stripe.
            int last = random.nextBoolean() ? first : first + random.nextInt(stripeEnd - first);
            long offset = (long) first * P + random.nextInt(P);
            long end = (long) last * P + random.nextInt(P) + 1;
            long length = Math.max(1, end - offset);
            int lastPage = (int) ((offset + length - 1) / P);
            version++;
            for (int p = first; p <= lastPage; p++) {
                VERSION.setOpaque(versions[b], p, version);
            }
            log.written(blocks[b], offset, length);
            reported[b].set(first, lastPage + 1);
        }
    }

    private static void drainAll(VmmWriteLog log, RamBlock[] blocks, long[][] versions, DirtyBitmap[] scratch,
            BitSet[] union, long[][] lastSeen) {
        for (int b = 0; b < blocks.length; b++) {
            DirtyBitmap target = scratch[b];
            target.clearAll();
            long moved = log.drainInto(blocks[b], target.words());
            assertEquals(target.count(), moved, "a drain's count into an empty bitmap");
            for (long p = target.nextSetBit(0); p >= 0; p = target.nextSetBit(p + 1)) {
                union[b].set((int) p);
                lastSeen[b][(int) p] = (long) VERSION.getOpaque(versions[b], (int) p);
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
