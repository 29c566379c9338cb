package dev.tern.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stats.TransferPhase;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.TestBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The source's compression pool (spec 9.1, 4.4) against the naive record oracle
 * {@link ParsedRecords}: every page handed over reaches the stream exactly once as a standard
 * zlib record or a ZERO record, a flush leaves nothing behind, the counters add up to the bytes
 * on the wire, and {@code busy} counts only when the page does not wait.
 */
@Timeout(60)
class CompressPoolTest {
    private static final int PAGE = ParsedRecords.PAGE;
    private static final int PAGES = 256;

    private final MemoryChannel sink = MemoryChannel.sink();
    private final StreamWriter stream = new StreamWriter(sink);
    private final RamRecordWriter out = new RamRecordWriter(stream);
    private final MigrationCounters counters = new MigrationCounters(PAGE, Clock.systemUTC());

    /** Page i: zero for i % 4 == 0, a compressible pattern for 1 and 2, random bytes for 3. */
    private static TestBlock mixedBlock(long seed) {
        TestBlock block = TestBlock.of("pc.ram", (long) PAGES * PAGE);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] page = new byte[PAGE];
        for (int i = 0; i < PAGES; i++) {
            switch (i % 4) {
                case 0 -> java.util.Arrays.fill(page, (byte) 0);
                case 1, 2 -> {
                    for (int j = 0; j < PAGE; j++) {
                        page[j] = (byte) ((j / 64) ^ i);
                    }
                }
                default -> random.nextBytes(page);
            }
            MemorySegment.copy(page, 0, block.memory(), ValueLayout.JAVA_BYTE, (long) i * PAGE, PAGE);
        }
        return block;
    }

    /** What RamSaver does per page: the pool if it takes the page, else a plain record. */
    private void send(CompressPool pool, RamBlock block, long offset) {
        if (!pool.trySend(out, block, offset, TransferPhase.PRECOPY)) {
            out.writePage(block, offset, new dev.tern.core.stream.BlockWindows(block.memory(), block.usedLength()));
        }
    }

    private ParsedRecords written() {
        stream.flush();
        return ParsedRecords.parse(sink.written());
    }

    @ParameterizedTest(name = "{0} threads, level {1}")
    @CsvSource({"1, 1", "4, 1", "4, 0", "3, 9"})
    void everyPageReachesTheStreamOnceAsStandardRecords(int threads, int level) {
        TestBlock block = mixedBlock(threads * 31L + level);
        try (CompressPool pool = new CompressPool(threads, level, true, PAGE, counters)) {
            for (int i = 0; i < PAGES; i++) {
                send(pool, block, (long) i * PAGE);
            }
            pool.flush(out, TransferPhase.PRECOPY);
        }
        ParsedRecords records = written();
        assertEquals(PAGES, records.pages.size());
        Map<Long, Integer> seen = new HashMap<>();
        records.pages.forEach(p -> seen.merge(p.offset(), 1, Integer::sum));
        assertEquals(PAGES, seen.size(), "every page exactly once");
        // The first page names the block and goes uncompressed; all others carry CONTINUE.
        assertEquals(ParsedRecords.PAGE_FLAG, records.pages.getFirst().flags());
        records.pages.stream().skip(1).forEach(p -> assertTrue((p.flags() & ParsedRecords.CONTINUE) != 0, p.toString()));
        byte[] ram = new byte[PAGES * PAGE];
        records.applyTo(ram);
        assertArrayEquals(block.memory().toArray(ValueLayout.JAVA_BYTE), ram);

        // Zero pages (but the first, sent plain) went as ZERO records and duplicates.
        long zeroRecords = records.count(ParsedRecords.ZERO);
        long compressed = records.count(ParsedRecords.COMPRESS);
        assertEquals(PAGES / 4 - 1, zeroRecords);
        assertEquals(PAGES - PAGES / 4, compressed);
        assertEquals(zeroRecords, counters.duplicatePages());
        assertEquals(compressed, counters.compressedPages());
        long wire = records.pages.stream().skip(1).mapToLong(ParsedRecords.Page::wireBytes).sum();
        assertEquals(wire, counters.transferred(), "the pool counts every byte it collects");
        long compressedSize = records.pages.stream().filter(p -> (p.flags() & ~ParsedRecords.CONTINUE) == ParsedRecords.COMPRESS)
                .mapToLong(p -> p.wireBytes() - 8).sum();
        assertEquals(compressedSize, counters.compressedSize(), "compressed-size excludes the 8-byte word");
        assertEquals(0, counters.compressionBusy());
        if (level > 0) {
            assertTrue(compressedSize < compressed * PAGE, "the pattern pages compress: " + compressedSize);
        }
    }

    @Test
    void aFlushLeavesNothingPendingSoANewPassFollowsTheOld() {
        TestBlock block = mixedBlock(7);
        try (CompressPool pool = new CompressPool(4, 1, true, PAGE, counters)) {
            for (int pass = 0; pass < 3; pass++) {
                if (pass > 0) {
                    for (int i = 0; i < PAGES; i++) {
                        block.memory().set(ValueLayout.JAVA_BYTE, (long) i * PAGE + pass, (byte) (0x40 + pass));
                    }
                }
                for (int i = 0; i < PAGES; i++) {
                    send(pool, block, (long) i * PAGE);
                }
                // The end of a pass: what the threads hold goes out before any page of the next.
                pool.flush(out, TransferPhase.PRECOPY);
                assertEquals((pass + 1) * PAGES, written().pages.size(), "pass " + pass);
            }
        }
        byte[] ram = new byte[PAGES * PAGE];
        written().applyTo(ram);
        // Applied in stream order, the last copy of every page is the newest.
        assertArrayEquals(block.memory().toArray(ValueLayout.JAVA_BYTE), ram);
    }

    @Test
    void aPageOfAnotherBlockFlushesAndGoesTheNormalWay() {
        TestBlock a = mixedBlock(1);
        TestBlock b = TestBlock.of("vga.vram", 4L * PAGE);
        b.memory().fill((byte) 0x33);
        try (CompressPool pool = new CompressPool(2, 1, true, PAGE, counters)) {
            out.writeZeroPage(a, 0);
            for (int i = 1; i < 8; i++) {
                assertTrue(pool.trySend(out, a, (long) i * PAGE, TransferPhase.PRECOPY));
            }
            assertFalse(pool.trySend(out, b, 0, TransferPhase.PRECOPY), "a new block's first page is not compressed");
            // Everything of block a is on the stream before b's first record.
            assertEquals(8, written().pages.size());
            assertEquals(0, counters.compressionBusy(), "a block change is not busy");
            out.writePage(b, 0, new dev.tern.core.stream.BlockWindows(b.memory(), b.usedLength()));
            assertTrue(pool.trySend(out, b, PAGE, TransferPhase.PRECOPY));
            pool.flush(out, TransferPhase.PRECOPY);
        }
        ParsedRecords records = written();
        assertEquals(10, records.pages.size());
        ParsedRecords.Page last = records.pages.getLast();
        assertEquals(ParsedRecords.COMPRESS | ParsedRecords.CONTINUE, last.flags());
        assertEquals(PAGE, last.offset());
        assertEquals(0x33, last.contents()[0]);
    }

    @Test
    void busyCountsOnlyWhenPagesDoNotWait() throws Exception {
        BlockingBlock block = new BlockingBlock(mixedBlock(3));
        try (CompressPool pool = new CompressPool(1, 1, false, PAGE, counters)) {
            out.writePage(block, 0, new dev.tern.core.stream.BlockWindows(block.memory(), block.usedLength()));
            block.arm();
            assertTrue(pool.trySend(out, block, PAGE, TransferPhase.PRECOPY));
            block.awaitBlocked();
            // The only worker is stuck: the page is not taken and counts as busy.
            assertFalse(pool.trySend(out, block, 2L * PAGE, TransferPhase.PRECOPY));
            assertFalse(pool.trySend(out, block, 3L * PAGE, TransferPhase.PRECOPY));
            assertEquals(2, counters.compressionBusy());

            // With compress-wait-thread on, the next page waits instead.
            pool.waitThread(true);
            AtomicReference<Boolean> taken = new AtomicReference<>();
            Thread sender = Thread.ofPlatform().start(() -> taken.set(pool.trySend(out, block, 4L * PAGE,
                    TransferPhase.PRECOPY)));
            while (sender.getState() != Thread.State.WAITING && sender.isAlive()) {
                Thread.onSpinWait();
            }
            assertEquals(null, taken.get(), "the page waits for the worker");
            block.release();
            sender.join();
            assertEquals(Boolean.TRUE, taken.get());
            assertEquals(2, counters.compressionBusy(), "waiting is not busy");
            pool.flush(out, TransferPhase.PRECOPY);
        }
        ParsedRecords records = written();
        // Page 0 plain, then page 1 (collected when page 4 was handed over), then page 4.
        assertEquals(3, records.pages.size());
        assertEquals(PAGE, records.pages.get(1).offset());
        assertEquals(4L * PAGE, records.pages.get(2).offset());
        assertEquals(1, counters.compressedPages(), "page 1");
        assertEquals(1, counters.duplicatePages(), "page 4 is a zero page");
    }

    @Test
    void aCompressedRecordAfterAnotherBlocksRecordIsRefused() {
        TestBlock a = mixedBlock(5);
        TestBlock b = TestBlock.of("other", PAGE);
        try (CompressPool pool = new CompressPool(1, 1, true, PAGE, counters)) {
            out.writePage(a, 0, new dev.tern.core.stream.BlockWindows(a.memory(), a.usedLength()));
            assertTrue(pool.trySend(out, a, PAGE, TransferPhase.PRECOPY));
            // Someone writes a record of another block without the pool's flush: the pending
            // CONTINUE record would land in the wrong block, so it is refused.
            out.writeZeroPage(b, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.flush(out, TransferPhase.PRECOPY));
            assertTrue(e.getMessage().contains("pc.ram"), e.getMessage());
        }
    }

    @Test
    void closeEndsEveryThreadAndIsIdempotent() throws Exception {
        CompressPool pool = new CompressPool(5, 1, true, PAGE, counters);
        assertEquals(5, compressThreads());
        TestBlock block = mixedBlock(9);
        out.writePage(block, 0, new dev.tern.core.stream.BlockWindows(block.memory(), block.usedLength()));
        for (int i = 1; i < PAGES; i++) {
            pool.trySend(out, block, (long) i * PAGE, TransferPhase.PRECOPY);
        }
        pool.close(); // pending records are dropped
        pool.close();
        assertEquals(0, compressThreads());
    }

    @Test
    void aPageThatCannotBeCompressedFailsTheStream() {
        TestBlock good = mixedBlock(11);
        RamBlock broken = new RamBlock() {
            @Override
            public String name() {
                return good.name();
            }

            @Override
            public MemorySegment memory() {
                throw new IllegalStateException("memory gone");
            }

            @Override
            public long usedLength() {
                return good.usedLength();
            }
        };
        try (CompressPool pool = new CompressPool(1, 1, true, PAGE, counters)) {
            out.writeZeroPage(broken, 0);
            assertTrue(pool.trySend(out, broken, PAGE, TransferPhase.PRECOPY));
            pool.flush(out, TransferPhase.PRECOPY);
        }
        assertEquals("compressed data failed!", stream.error().orElseThrow().getMessage());
        assertEquals(0, counters.compressedPages());
    }

    @Test
    void handingOverAndCollectingAllocatesNothing() {
        StreamWriter discard = new StreamWriter(new dev.tern.core.stream.DiscardChannel());
        RamRecordWriter records = new RamRecordWriter(discard);
        TestBlock block = mixedBlock(13);
        try (CompressPool pool = new CompressPool(2, 1, true, PAGE, counters)) {
            records.writePage(block, 0, new dev.tern.core.stream.BlockWindows(block.memory(), block.usedLength()));
            Runnable passes = () -> {
                for (int pass = 0; pass < 20; pass++) {
                    for (int i = 1; i < PAGES; i++) {
                        pool.trySend(records, block, (long) i * PAGE, TransferPhase.PRECOPY);
                    }
                    pool.flush(records, TransferPhase.PRECOPY);
                }
            };
            for (int warm = 0; warm < 10; warm++) {
                passes.run();
            }
            long allocated = dev.tern.core.stream.AllocationMeter.measure(passes);
            // AllocationMeter boxes its reading; a byte per page would already be 5,100.
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 5,100 pages");
        }
    }

    static long compressThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-compress-")).count();
    }

    /** A block whose memory, once armed, blocks the first thread that asks for it until released. */
    private static final class BlockingBlock implements RamBlock {
        private final TestBlock block;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch blocked = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        BlockingBlock(TestBlock block) {
            this.block = block;
        }

        void arm() {
            armed.set(true);
        }

        void awaitBlocked() throws InterruptedException {
            blocked.await();
        }

        void release() {
            released.countDown();
        }

        @Override
        public String name() {
            return block.name();
        }

        @Override
        public MemorySegment memory() {
            if (armed.compareAndSet(true, false)) {
                blocked.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return block.memory();
        }

        @Override
        public long usedLength() {
            return block.usedLength();
        }
    }
}
