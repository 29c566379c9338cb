package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.core.stream.AllocationMeter;
import dev.tern.core.stream.StreamFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-page paths allocate nothing: encode, decode, cache lookup and insert are called on
 * every page a migration sends or receives. The budget (well under a byte per call) leaves room
 * only for the meter's own boxing.
 */
class XbzrleAllocationTest {
    private static final int P = 4096;
    private static final int CALLS = 50_000;
    private static final long BUDGET = 2048;

    @Test
    void encodeDecodeLookupAndInsertAllocateNothing() {
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined(); PageCache cache = new PageCache(64L * P, P)) {
            MemorySegment[] olds = new MemorySegment[4];
            MemorySegment[] news = new MemorySegment[4];
            PagePairs.Shape[] shapes = {PagePairs.Shape.SCATTERED, PagePairs.Shape.CLUSTERED,
                PagePairs.Shape.RUNS, PagePairs.Shape.ENDS};
            double[] fractions = {0.01, 0.1, 0.5, 0.001};
            for (int k = 0; k < 4; k++) {
                byte[] old = PagePairs.oldPage(random, P);
                olds[k] = arena.allocate(P).copyFrom(MemorySegment.ofArray(old));
                news[k] = arena.allocate(P).copyFrom(
                        MemorySegment.ofArray(PagePairs.newPage(random, old, shapes[k], fractions[k])));
            }
            MemorySegment dst = arena.allocate(P);
            MemorySegment page = arena.allocate(P);
            int[] sink = new int[1];
            Runnable round = () -> {
                for (int i = 0; i < CALLS; i++) {
                    int k = i & 3;
                    int n = XbzrleEncoder.encode(olds[k], news[k], P, dst, P);
                    if (n > 0) {
                        MemorySegment.copy(olds[k], 0, page, 0, P);
                        try {
                            sink[0] += XbzrleDecoder.decode(dst, n, page, P);
                        } catch (StreamFormatException e) {
                            throw new AssertionError(e);
                        }
                    }
                    long address = (long) (i & 255) * P;
                    sink[0] += cache.lookup(address, i >>> 10) ? 1 : 0;
                    sink[0] += cache.insert(address, news[k], 0, i >>> 10) ? 1 : 0;
                    sink[0] += (int) cache.slotOffset(address);
                }
            };
            for (int warm = 0; warm < 5; warm++) {
                round.run(); // until C2 has compiled the loops
            }
            long allocated = AllocationMeter.measure(round);
            assertTrue(allocated < BUDGET, "allocated " + allocated + " bytes in " + CALLS + " rounds of calls");
            assertTrue(sink[0] != 0, "the calls did something");
        }
    }
}
