package dev.tern.core.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.stream.AllocationMeter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmmWriteLogTest {
    private static final int P = 4096;

    private final Arena arena = Arena.ofAuto();
    private final RamBlock ram = RamBlock.of("pc.ram", arena.allocate(200L * P, P));
    private final RamBlock vram = RamBlock.of("vga.vram", arena.allocate(70L * P, P));

    @Test
    void aForeignBlockIsRejectedWhenReportedAndWhenDrained() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        IllegalArgumentException written = assertThrows(IllegalArgumentException.class, () -> log.written(vram, 0, 1));
        assertEquals("RAM block vga.vram does not belong to this guest", written.getMessage());
        IllegalArgumentException drained = assertThrows(IllegalArgumentException.class,
                () -> log.drainInto(vram, new DirtyBitmap(70).words()));
        assertEquals("RAM block vga.vram does not belong to this guest", drained.getMessage());
        // A block with the same name and size is still another block: identity decides.
        RamBlock twin = RamBlock.of("pc.ram", arena.allocate(200L * P, P));
        assertThrows(IllegalArgumentException.class, () -> log.written(twin, 0, 1));
    }

    @Test
    void aRangeMustStayInsideTheBlock() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        long size = 200L * P;
        log.written(ram, size - 1, 1);
        log.written(ram, 0, size);
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> log.written(ram, size, 1));
        assertEquals("write of 1 bytes at " + size + " outside RAM block pc.ram", past.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> log.written(ram, size - 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> log.written(ram, -1, 1));
        // offset + length overflows a long: still rejected, not wrapped into range.
        assertThrows(IndexOutOfBoundsException.class, () -> log.written(ram, 4096, Long.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> log.written(ram, Long.MAX_VALUE, 1));
    }

    @Test
    void anEmptyWriteMarksNothingEvenOutsideTheBlock() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        log.written(ram, 4096, 0);
        log.written(ram, 4096, -5);
        log.written(ram, 1L << 40, 0);
        DirtyBitmap target = new DirtyBitmap(200);
        assertEquals(0, log.drainInto(ram, target.words()));
        assertEquals(0, target.count());
    }

    @Test
    void bytesMapToEveryPageTheyTouch() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        log.written(ram, 4095, 2); // pages 0 and 1
        log.written(ram, 10L * P, P); // exactly page 10
        log.written(ram, 63L * P + 100, 2L * P); // pages 63, 64, 65: across a word boundary
        log.written(ram, 127L * P, 66L * P); // pages 127..192: a whole word and both ends
        DirtyBitmap target = new DirtyBitmap(200);
        long expected = 2 + 1 + 3 + 66;
        assertEquals(expected, log.drainInto(ram, target.words()));
        BitSet want = new BitSet();
        want.set(0, 2);
        want.set(10);
        want.set(63, 66);
        want.set(127, 193);
        assertEquals(want, bits(target));
        // Drained means gone.
        DirtyBitmap again = new DirtyBitmap(200);
        assertEquals(0, log.drainInto(ram, again.words()));
        assertEquals(0, again.count());
    }

    @Test
    void theCountIsOfPagesNewToTheTargetAndBitsAlreadyThereStay() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        DirtyBitmap target = new DirtyBitmap(200);
        target.set(5);
        target.set(150);
        log.written(ram, 4L * P, 3L * P); // 4, 5, 6
        assertEquals(2, log.drainInto(ram, target.words()));
        BitSet want = new BitSet();
        want.set(4, 7);
        want.set(150);
        assertEquals(want, bits(target));
    }

    @Test
    void eachBlockGetsOnlyItsOwnPagesAndTheOthersWaitForTheirTurn() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram, vram));
        log.written(ram, 3L * P, 1);
        log.written(vram, 69L * P, P);
        log.written(ram, 199L * P, 1);
        DirtyBitmap ramTarget = new DirtyBitmap(200);
        assertEquals(2, log.drainInto(ram, ramTarget.words()));
        BitSet want = new BitSet();
        want.set(3);
        want.set(199);
        assertEquals(want, bits(ramTarget));
        // vram's report left the ring with ram's drain and waits in its pending bitmap.
        log.written(vram, 0, 1);
        DirtyBitmap vramTarget = new DirtyBitmap(70);
        assertEquals(2, log.drainInto(vram, vramTarget.words()));
        BitSet wantVram = new BitSet();
        wantVram.set(0);
        wantVram.set(69);
        assertEquals(wantVram, bits(vramTarget));
    }

    @Test
    void aFullRingOverflowsIntoTheBitmapAndLosesNothing() {
        int ringBytes = VmmWriteLog.MIN_RING_BYTES;
        VmmWriteLog log = new VmmWriteLog(List.of(ram, vram), ringBytes);
        BitSet[] want = {new BitSet(), new BitSet()};
        int reports = 50 * (ringBytes / WriteRecordDescriptor.RECORD_BYTES);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < reports; i++) {
            int b = random.nextInt(2);
            RamBlock block = b == 0 ? ram : vram;
            int pages = b == 0 ? 200 : 70;
            int first = random.nextInt(pages);
            int count = 1 + random.nextInt(Math.min(9, pages - first));
            log.written(block, (long) first * P, (long) count * P);
            want[b].set(first, first + count);
        }
        assertTrue(log.overflowed(ram));
        assertTrue(log.overflowed(vram));
        DirtyBitmap ramTarget = new DirtyBitmap(200);
        DirtyBitmap vramTarget = new DirtyBitmap(70);
        assertEquals(want[0].cardinality(), log.drainInto(ram, ramTarget.words()));
        assertEquals(want[1].cardinality(), log.drainInto(vram, vramTarget.words()));
        assertEquals(want[0], bits(ramTarget));
        assertEquals(want[1], bits(vramTarget));
        assertFalse(log.overflowed(ram));
        assertFalse(log.overflowed(vram));

        // Drained, the ring has room again: the next report does not overflow.
        log.written(ram, 7L * P, 1);
        assertFalse(log.overflowed(ram));
        DirtyBitmap next = new DirtyBitmap(200);
        assertEquals(1, log.drainInto(ram, next.words()));
        assertTrue(next.get(7));
    }

    @Test
    void reportsThatFitTheRingNeverTouchTheOverflowBitmap() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram), 1024);
        int fits = 1024 / WriteRecordDescriptor.RECORD_BYTES;
        // Many rounds: the ring's head and tail wrap around its end many times.
        for (int round = 0; round < 500; round++) {
            for (int i = 0; i < fits; i++) {
                log.written(ram, (long) ((round + i) % 200) * P, 1);
            }
            assertFalse(log.overflowed(ram), "round " + round);
            DirtyBitmap target = new DirtyBitmap(200);
            assertEquals(fits, log.drainInto(ram, target.words()));
            for (int i = 0; i < fits; i++) {
                assertTrue(target.get((round + i) % 200));
            }
        }
    }

    @Test
    void pagesPastTheUsedLengthStayUntilTheBlockGrows() {
        Resizable block = new Resizable(arena.allocate(100L * P, P), 60L * P);
        VmmWriteLog log = new VmmWriteLog(List.of(block));
        log.written(block, 59L * P, 2L * P); // pages 59 and 60: 60 is past the used length
        log.written(block, 99L * P, 1); // the last page of the memory
        DirtyBitmap used = new DirtyBitmap(60);
        assertEquals(1, log.drainInto(block, used.words()));
        BitSet want = new BitSet();
        want.set(59);
        assertEquals(want, bits(used));

        block.usedLength = 100L * P;
        DirtyBitmap grown = new DirtyBitmap(100);
        assertEquals(2, log.drainInto(block, grown.words()));
        BitSet wantGrown = new BitSet();
        wantGrown.set(60);
        wantGrown.set(99);
        assertEquals(wantGrown, bits(grown));
    }

    @Test
    void aTargetSmallerThanTheBlockReceivesOnlyWhatFits() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram));
        log.written(ram, 10L * P, 1);
        log.written(ram, 64L * P, 1);
        log.written(ram, 130L * P, 1);
        MemorySegment oneWord = MemorySegment.ofArray(new long[1]);
        assertEquals(1, log.drainInto(ram, oneWord));
        assertEquals(1L << 10, oneWord.get(BitmapWords.UNALIGNED_WORD, 0));
        DirtyBitmap rest = new DirtyBitmap(200);
        assertEquals(2, log.drainInto(ram, rest.words()));
        BitSet want = new BitSet();
        want.set(64);
        want.set(130);
        assertEquals(want, bits(rest));
    }

    @ParameterizedTest
    @ValueSource(ints = {VmmWriteLog.MIN_RING_BYTES, 512, 1 << 16})
    void randomReportsAndDrainsMatchANaiveOracle(int ringBytes) {
        VmmWriteLog log = new VmmWriteLog(List.of(ram, vram), ringBytes);
        RamBlock[] blocks = {ram, vram};
        int[] pages = {200, 70};
        BitSet[] pendingOracle = {new BitSet(), new BitSet()};
        SplittableRandom random = new SplittableRandom(ringBytes);
        for (int step = 0; step < 20_000; step++) {
            int b = random.nextInt(2);
            if (random.nextInt(40) == 0) {
                DirtyBitmap target = new DirtyBitmap(pages[b]);
                BitSet before = new BitSet();
                for (int k = 0; k < 3; k++) {
                    int p = random.nextInt(pages[b]);
                    target.set(p);
                    before.set(p);
                }
                BitSet fresh = (BitSet) pendingOracle[b].clone();
                fresh.andNot(before);
                assertEquals(fresh.cardinality(), log.drainInto(blocks[b], target.words()), "step " + step);
                before.or(pendingOracle[b]);
                assertEquals(before, bits(target), "step " + step);
                pendingOracle[b].clear();
            } else {
                long offset = random.nextLong((long) pages[b] * P);
                long length = random.nextInt(5) == 0
                        ? 1 + random.nextLong((long) pages[b] * P - offset)
                        : 1 + random.nextLong(Math.min(3L * P, (long) pages[b] * P - offset));
                log.written(blocks[b], offset, length);
                pendingOracle[b].set((int) (offset / P), (int) ((offset + length - 1) / P) + 1);
            }
        }
    }

    @Test
    void theRingCapacityMustBeAPowerOfTwoHoldingRecords() {
        assertEquals("ring capacity 100 is not a power of two of at least 128 bytes",
                assertThrows(IllegalArgumentException.class, () -> new VmmWriteLog(List.of(ram), 100)).getMessage());
        assertEquals("ring capacity 64 is not a power of two of at least 128 bytes",
                assertThrows(IllegalArgumentException.class, () -> new VmmWriteLog(List.of(ram), 64)).getMessage());
        assertEquals("ring capacity 384 is not a power of two of at least 128 bytes",
                assertThrows(IllegalArgumentException.class, () -> new VmmWriteLog(List.of(ram), 384)).getMessage());
        new VmmWriteLog(List.of(ram), 128);
    }

    @Test
    void aBlockListedTwiceIsRejected() {
        assertEquals("RAM block pc.ram is listed twice",
                assertThrows(IllegalArgumentException.class, () -> new VmmWriteLog(List.of(ram, vram, ram)))
                        .getMessage());
    }

    @Test
    void reportingAndDrainingAllocateNothing() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram, vram));
        DirtyBitmap ramTarget = new DirtyBitmap(200);
        DirtyBitmap vramTarget = new DirtyBitmap(70);
        Runnable round = () -> {
            for (int i = 0; i < 10_000; i++) {
                // Far fewer reports than the ring holds between drains: the ring path.
                log.written((i & 1) == 0 ? ram : vram, (long) (i % 60) * P + (i & 4095), 1 + (i & 3) * 3000L);
                if ((i & 1023) == 1023) {
                    log.drainInto(ram, ramTarget.words());
                    log.drainInto(vram, vramTarget.words());
                }
            }
        };
        for (int warm = 0; warm < 30; warm++) {
            round.run();
        }
        long allocated = AllocationMeter.measure(round);
        // AllocationMeter boxes its reading; a byte per report would already be 10,000.
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 10,000 reports and 18 drains");
        assertFalse(log.overflowed(ram));
    }

    @Test
    void theOverflowPathAllocatesNothing() {
        VmmWriteLog log = new VmmWriteLog(List.of(ram), VmmWriteLog.MIN_RING_BYTES);
        DirtyBitmap target = new DirtyBitmap(200);
        Runnable round = () -> {
            for (int i = 0; i < 10_000; i++) {
                log.written(ram, (long) (i % 200) * P, 1);
            }
            log.drainInto(ram, target.words());
        };
        for (int warm = 0; warm < 30; warm++) {
            round.run();
        }
        long before = AllocationMeter.allocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            log.written(ram, (long) (i % 200) * P, 1);
        }
        long allocated = AllocationMeter.allocatedBytes() - before;
        assertTrue(log.overflowed(ram));
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 10,000 overflowing reports");
    }

    private static BitSet bits(DirtyBitmap bitmap) {
        BitSet set = new BitSet();
        for (long p = bitmap.nextSetBit(0); p >= 0; p = bitmap.nextSetBit(p + 1)) {
            set.set((int) p);
        }
        return set;
    }

    /** A block whose used length is less than its memory and can change. */
    private static final class Resizable implements RamBlock {
        private final MemorySegment memory;
        long usedLength;

        Resizable(MemorySegment memory, long usedLength) {
            this.memory = memory;
            this.usedLength = usedLength;
        }

        @Override
        public String name() {
            return "resizable";
        }

        @Override
        public MemorySegment memory() {
            return memory;
        }

        @Override
        public long usedLength() {
            return usedLength;
        }
    }
}
