package dev.tern.core.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.VmmWriteLog;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stream.AllocationMeter;
import dev.tern.core.stream.DiscardChannel;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.TestBlock;
import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The source's XBZRLE path page by page (spec 7.5), without threads or sockets: pages are
 * dirtied by hand, generations advance with the dirty-sync count, and the stream is loaded by the
 * destination's reader, whose RAM must equal the source's after every section.
 */
class XbzrleSaverTest {
    private static final int P = RamSaver.PAGE_SIZE;

    /** A source with a hand-driven dirty log: {@link #dirty} marks pages, {@link #generation} syncs. */
    private static final class Source {
        final List<RamBlock> blocks;
        final VmmWriteLog marks;
        final MigrationCounters counters = new MigrationCounters(P, InstantSource.system());
        final RamSaver saver;
        final MemoryChannel channel = MemoryChannel.sink().noRecording();
        final StreamWriter out = new StreamWriter(channel);
        final RamRecordWriter records = new RamRecordWriter(out);
        final List<Integer> sectionEnds = new ArrayList<>();

        Source(RamBlock... blocks) {
            this.blocks = List.of(blocks);
            this.marks = new VmmWriteLog(this.blocks);
            this.saver = new RamSaver(this.blocks, false, NO_LOG, marks, counters);
        }

        /** Setup: every page dirty, the first sync. */
        void setup(long cacheSize) {
            saver.enableXbzrle(cacheSize);
            saver.startLogging();
            generation();
        }

        void dirty(RamBlock block, int page) {
            marks.written(block, (long) page * P, P);
        }

        void generation() {
            saver.sync();
            counters.incrementDirtySyncCount();
        }

        /** One section with every dirty page (iterations until none is left), then EOS. */
        void iterateAll() {
            while (!saver.iterate(records, () -> true)) {
                // the 50 ms cut-off ends an iteration early on a slow machine; go on
            }
            endSection();
        }

        void complete() {
            saver.sendAll(records);
            endSection();
        }

        private void endSection() {
            records.writeEos();
            out.flush();
            sectionEnds.add(channel.written().length);
        }
    }

    private static final DirtyLog NO_LOG = new DirtyLog() {
        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }

        @Override
        public long syncInto(RamBlock block, MemorySegment bitmap) {
            return 0;
        }
    };

    private static void fill(MemorySegment ram, int page, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < P; i += 8) {
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) page * P + i, r.nextLong() | 1);
        }
    }

    private static void bump(MemorySegment ram, int page, int at) {
        long o = (long) page * P + at;
        ram.set(ValueLayout.JAVA_BYTE, o, (byte) (ram.get(ValueLayout.JAVA_BYTE, o) + 1));
    }

    private static MemorySegment copyOf(RamBlock block) {
        return MemorySegment.ofArray(block.memory().asSlice(0, block.usedLength()).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void eachPageTakesTheQemuPathAndTheCountersSaySo() throws IOException {
        TestBlock ram = TestBlock.of("pc.ram", 8L * P);
        MemorySegment m = ram.memory();
        for (int p = 0; p < 7; p++) {
            fill(m, p, p);
        }
        Source src = new Source(ram);
        // 4 slots: pages p and p + 4 share slot p.
        src.setup(4L * P);
        src.iterateAll();
        MigrationCounters c = src.counters;
        assertEquals(7, c.normalPages(), "bulk stage: no XBZRLE");
        assertEquals(1, c.duplicatePages());
        assertEquals(0, c.xbzrleCacheMiss() + c.xbzrlePages() + c.xbzrleBytes());
        assertEquals(8, src.saver.pagesWritten());
        assertTrue(src.saver.bulkStage(), "the search has not wrapped yet");

        // Generation 2: the first XBZRLE pass; the cache is empty.
        bump(m, 0, 100);
        bump(m, 4, 200);
        for (int p : new int[] {0, 1, 2, 4, 7}) {
            src.dirty(ram, p);
        }
        src.generation();
        src.iterateAll();
        assertEquals(4, c.xbzrleCacheMiss(), "pages 0, 1, 2 inserted; page 4 refused (page 0 is fresh); "
                + "zero page 7 looks nothing up");
        assertEquals(0, c.xbzrlePages());
        assertEquals(11, c.normalPages());
        assertEquals(2, c.duplicatePages());
        assertEquals(13, src.saver.pagesWritten());

        // Generation 3: hits.
        bump(m, 0, 100);                                   // 1 byte: zrun 100, nzrun 1, 1 byte
        fill(m, 2, 99);                                    // every word changed: overflow
        m.set(ValueLayout.JAVA_BYTE, 7L * P + 5, (byte) 9); // against the cached zero page
        bump(m, 4, 200);
        for (int p : new int[] {0, 1, 2, 4, 7}) {
            src.dirty(ram, p);
        }
        src.generation();
        src.iterateAll();
        assertEquals(4, c.xbzrlePages(), "hits: 0 (encoded), 1 (unchanged), 2 (overflow), 7 (encoded)");
        assertEquals(5, c.xbzrleCacheMiss(), "page 4 still loses to page 0");
        assertEquals(1, c.snapshot().xbzrle().overflow());
        // Two XBZRLE records of 3 encoded bytes: 1 flag + 2 length + 3 each; a page per overflow.
        assertEquals(2 * (3 + 3) + P, c.xbzrleBytes());
        assertEquals(13, c.normalPages(), "the overflow and page 4");
        assertEquals(17, src.saver.pagesWritten(), "the unchanged page 1 is no page written");

        // Last stage: reads the cache, no inserts, no updates, and its pages are not 'written'.
        bump(m, 0, 100);
        bump(m, 4, 300);
        bump(m, 6, 1);
        src.dirty(ram, 0);
        src.dirty(ram, 4);
        src.dirty(ram, 6);
        src.generation();
        src.complete();
        assertEquals(5, c.xbzrlePages());
        assertEquals(7, c.xbzrleCacheMiss());
        assertEquals(2 * (3 + 3) + P + 6, c.xbzrleBytes());
        assertEquals(15, c.normalPages(), "pages 4 and 6 miss and are not inserted");
        assertEquals(17, src.saver.pagesWritten());

        byte[] stream = src.channel.written();
        // transferred counts every page record; the test's EOS records are not counted.
        assertEquals(stream.length - 8L * src.sectionEnds.size(), c.transferred());
        TestBlock dst = TestBlock.of("pc.ram", 8L * P);
        RamRecordReader reader = new RamRecordReader(reader(stream), List.of(dst), RamLoadOptions.PRECOPY);
        for (int s = 0; s < src.sectionEnds.size(); s++) {
            reader.loadSection();
        }
        assertEquals(-1, dst.memory().mismatch(m), "the destination holds the source's RAM");
        src.saver.releaseXbzrle();
        assertEquals(0, src.saver.xbzrleCacheSize());
    }

    @Test
    void everyBlockHasItsOwnCacheAddresses() {
        TestBlock a = TestBlock.of("a", 2L * P);
        TestBlock b = TestBlock.of("b", 2L * P);
        fill(a.memory(), 0, 1);
        fill(b.memory(), 0, 1);
        Source src = new Source(a, b);
        src.setup(64L * P);
        src.iterateAll();
        src.dirty(a, 0);
        src.dirty(b, 0);
        src.generation();
        src.iterateAll();
        // Page 0 of "b" is global page 2: a miss of its own, not a hit on page 0 of "a".
        assertEquals(2, src.counters.xbzrleCacheMiss());
        assertEquals(0, src.counters.xbzrlePages());
        bump(b.memory(), 0, 7);
        src.dirty(a, 0);
        src.dirty(b, 0);
        src.generation();
        src.iterateAll();
        assertEquals(2, src.counters.xbzrlePages(), "both hit their own copies");
        assertEquals(3 + 3, src.counters.xbzrleBytes(), "one XBZRLE record; page 0 of \"a\" is unchanged");
        src.saver.releaseXbzrle();
    }

    @ParameterizedTest(name = "cache of {0} pages")
    @ValueSource(ints = {1, 8, 64})
    void randomGenerationsLoadIntoTheSourcesRam(int cachePages) throws IOException {
        // Two blocks: with one shared address space, page n of "b" would hit page n of "a".
        TestBlock a = TestBlock.of("a", 24L * P);
        TestBlock b = TestBlock.of("b", 8L * P);
        SplittableRandom random = new SplittableRandom(cachePages);
        for (int p = 0; p < 24; p++) {
            if (random.nextInt(3) > 0) {
                fill(a.memory(), p, random.nextLong());
            }
        }
        // Page n of "b" starts as page n of "a": a delta against the wrong block's copy is small
        // enough to be sent, and the destination would apply it to the wrong page.
        MemorySegment.copy(a.memory(), 0, b.memory(), 0, 8L * P);
        Source src = new Source(a, b);
        src.setup((long) cachePages * P);
        List<MemorySegment[]> expected = new ArrayList<>();
        src.iterateAll();
        expected.add(new MemorySegment[] {copyOf(a), copyOf(b)});
        long[] sizes = {P, 4L * P, 16L * P, 64L * P};
        for (int g = 0; g < 40; g++) {
            for (RamBlock block : List.of(a, b)) {
                for (int p = 0; p < block.usedLength() / P; p++) {
                    if (mutate(block, p, random)) {
                        src.dirty(block, p);
                    }
                }
            }
            if (g % 7 == 3) {
                // A live xbzrle-cache-size change, applied between iterations as the engine does.
                src.saver.requestXbzrleCacheSize(sizes[random.nextInt(sizes.length)]);
                src.saver.applyXbzrleCacheSize();
            }
            src.generation();
            if (g == 39) {
                src.complete();
            } else {
                src.iterateAll();
            }
            expected.add(new MemorySegment[] {copyOf(a), copyOf(b)});
        }
        MigrationCounters c = src.counters;
        assertTrue(c.xbzrlePages() > 0 && c.xbzrleCacheMiss() > 0, "hits and misses: " + c.snapshot().xbzrle());
        assertTrue(c.snapshot().xbzrle().overflow() > 0, "whole pages rewritten overflow");

        TestBlock da = TestBlock.of("a", 24L * P);
        TestBlock db = TestBlock.of("b", 8L * P);
        RamRecordReader reader = new RamRecordReader(reader(src.channel.written()), List.of(da, db),
                RamLoadOptions.PRECOPY);
        for (int s = 0; s < expected.size(); s++) {
            reader.loadSection();
            MemorySegment[] e = expected.get(s);
            if (e[0].mismatch(da.memory()) != -1 || e[1].mismatch(db.memory()) != -1) {
                fail("after section " + s + " the destination differs: block a at " + e[0].mismatch(da.memory())
                        + ", block b at " + e[1].mismatch(db.memory()));
            }
        }
        src.saver.releaseXbzrle();
    }

    /** Changes a page the way guests do (or not at all); returns whether it is dirty. */
    private static boolean mutate(RamBlock block, int page, SplittableRandom random) {
        MemorySegment m = block.memory();
        switch (random.nextInt(8)) {
            case 0, 1 -> {
                return false;
            }
            case 2 -> {
                return true; // written with the same bytes
            }
            case 3, 4 -> {
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    bump(m, page, random.nextInt(P));
                }
                return true;
            }
            case 5 -> {
                fill(m, page, random.nextLong());
                return true;
            }
            case 6 -> {
                m.asSlice((long) page * P, P).fill((byte) 0);
                return true;
            }
            default -> {
                m.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) page * P + 8L * random.nextInt(P / 8), random.nextLong());
                return true;
            }
        }
    }

    @Test
    void steadyStateXbzrlePagesAllocateNothing() {
        TestBlock ram = TestBlock.of("pc.ram", 256L * P);
        for (int p = 0; p < 256; p++) {
            fill(ram.memory(), p, p);
        }
        MigrationCounters counters = new MigrationCounters(P, InstantSource.system());
        VmmWriteLog marks = new VmmWriteLog(List.of(ram));
        RamSaver saver = new RamSaver(List.of(ram), false, NO_LOG, marks, counters);
        RamRecordWriter records = new RamRecordWriter(new StreamWriter(new DiscardChannel()));
        saver.enableXbzrle(64L * P);
        saver.startLogging();
        saver.sync();
        counters.incrementDirtySyncCount();
        int[] round = {0};
        // Half the pages hit (encoded or unchanged), the rest miss and go from the cache or live.
        Runnable pass = () -> {
            for (int p = 0; p < 256; p++) {
                if ((p & 1) == 0) {
                    bump(ram.memory(), p, (p * 31 + round[0]) & (P - 1));
                }
                marks.written(ram, (long) p * P, P);
            }
            round[0]++;
            saver.sync();
            counters.incrementDirtySyncCount();
            while (!saver.iterate(records, () -> true)) {
                // all of it
            }
        };
        for (int warm = 0; warm < 200; warm++) {
            pass.run();
        }
        long allocated = AllocationMeter.measure(() -> {
            for (int i = 0; i < 20; i++) {
                pass.run();
            }
        });
        assertTrue(counters.xbzrlePages() > 0 && counters.xbzrleCacheMiss() > 0, counters.snapshot().xbzrle()
                .toString());
        // 2 x 20 passes x 256 pages: far less than a byte per page leaves room only for the meter.
        assertTrue(allocated < 2048, "allocated " + allocated + " bytes");
        saver.releaseXbzrle();
    }

    private static StreamReader reader(byte[] stream) {
        return new StreamReader(MemoryChannel.source(stream, 1000));
    }
}
