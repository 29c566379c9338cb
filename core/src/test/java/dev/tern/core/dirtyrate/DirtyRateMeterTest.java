package dev.tern.core.dirtyrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationException;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.dirtyrate.DirtyRateStatus;
import dev.tern.api.dirtyrate.DirtyRateVcpu;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.SegmentRamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DirtyRateMeterTest {
    private static final long MIB = 1L << 20;
    private static final long PAGE = 4096;
    private static final long BIG = 128 * MIB;
    private static final long BIG_PAGES = BIG / PAGE;
    /** 2023-01-01T00:00:00.250Z: start-time must come out in whole seconds. */
    private static final Instant NOW = Instant.ofEpochMilli(1_672_531_200_250L);
    private static final InstantSource CLOCK = InstantSource.fixed(NOW);
    private static final long NOW_SECONDS = 1_672_531_200L;

    private static final Pause NO_WAIT = (ms, stop) -> false;

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeRam() {
        arena.close();
    }

    private static Optional<DirtyRateMeasureMode> mode(DirtyRateMeasureMode m) {
        return Optional.of(m);
    }

    private static DirtyRateMeter meter(FakeGuest guest, Pause pause) {
        return new DirtyRateMeter(guest, CLOCK, pause, new SplittableRandom(1));
    }

    private static MigrationException refused(DirtyRateMeter meter, long calcTime, OptionalLong pages,
            Optional<DirtyRateMeasureMode> mode) {
        return assertThrows(MigrationException.class, () -> meter.start(calcTime, pages, mode));
    }

    private static DirtyRateInfo awaitMeasured(DirtyRateMeter meter) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            DirtyRateInfo info = meter.query();
            if (info.status() == DirtyRateStatus.MEASURED) {
                return info;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the measurement did not finish");
    }

    private RamBlock ram(String name, long usedLength) {
        return new SegmentRamBlock(name, arena.allocate(BIG, PAGE), usedLength, PAGE, false);
    }

    /** Dirties the given pages from a background thread and waits for it: a write inside the window. */
    private static void dirtyInBackground(RamBlock block, long... pages) {
        Thread writer = Thread.ofPlatform().start(() -> {
            for (long page : pages) {
                MemorySegment memory = block.memory();
                memory.set(ValueLayout.JAVA_BYTE, page * PAGE + 100, (byte) (memory.get(ValueLayout.JAVA_BYTE, page * PAGE + 100) + 1));
            }
        });
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- validation, in QEMU's order ----

    @Test
    void calcTimeMustBeOneToSixtySeconds() throws InterruptedException {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            assertEquals("calc-time is out of range[1, 60].",
                    refused(meter, 0, OptionalLong.empty(), Optional.empty()).getMessage());
            assertEquals("calc-time is out of range[1, 60].",
                    refused(meter, 61, OptionalLong.empty(), Optional.empty()).getMessage());
            meter.start(1, OptionalLong.empty(), Optional.empty());
            awaitMeasured(meter);
            meter.start(60, OptionalLong.empty(), Optional.empty());
            assertEquals(60, awaitMeasured(meter).calcTime());
        }
    }

    @Test
    void samplePagesMustBe128To16384() throws InterruptedException {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            assertEquals("sample-pages is out of range[128, 16384].",
                    refused(meter, 1, OptionalLong.of(127), Optional.empty()).getMessage());
            assertEquals("sample-pages is out of range[128, 16384].",
                    refused(meter, 1, OptionalLong.of(16385), Optional.empty()).getMessage());
            meter.start(1, OptionalLong.of(128), Optional.empty());
            assertEquals(128, awaitMeasured(meter).samplePages());
            meter.start(1, OptionalLong.of(16384), Optional.empty());
            assertEquals(16384, awaitMeasured(meter).samplePages());
        }
    }

    @Test
    void samplePagesDefaultTo512() throws InterruptedException {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            assertEquals(512, awaitMeasured(meter).samplePages());
        }
    }

    @Test
    void calcTimeIsCheckedBeforeEverythingButARunningMeasurement() {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            assertEquals("calc-time is out of range[1, 60].",
                    refused(meter, 0, OptionalLong.of(1), mode(DirtyRateMeasureMode.DIRTY_RING)).getMessage());
        }
    }

    @Test
    void samplePagesInDirtyRingModeAreRefusedBeforeTheirRangeAndTheModeCheck() {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            // No ring either: the sample-pages rule still comes first.
            assertEquals("either sample-pages or dirty-ring can be specified.",
                    refused(meter, 1, OptionalLong.of(5), mode(DirtyRateMeasureMode.DIRTY_RING)).getMessage());
        }
    }

    @Test
    void samplePagesRangeIsCheckedBeforeTheModeAndAlsoInDirtyBitmapMode() {
        try (DirtyRateMeter meter = meter(new FakeGuest().ring(new FakeRing(1)), NO_WAIT)) {
            assertEquals("sample-pages is out of range[128, 16384].",
                    refused(meter, 1, OptionalLong.of(5), mode(DirtyRateMeasureMode.DIRTY_BITMAP)).getMessage());
        }
    }

    @Test
    void dirtyRingModeNeedsADirtyRing() {
        try (DirtyRateMeter meter = meter(new FakeGuest().vcpus(1), NO_WAIT)) {
            assertEquals("mode dirty-ring is not enabled, use other method instead.",
                    refused(meter, 1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_RING)).getMessage());
        }
    }

    @Test
    void dirtyBitmapModeIsRefusedWhenADirtyRingIsEnabled() {
        try (DirtyRateMeter meter = meter(new FakeGuest().ring(new FakeRing(1)).log(new FakeLog()), NO_WAIT)) {
            assertEquals("mode dirty-bitmap is not enabled, use other method instead.",
                    refused(meter, 1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_BITMAP)).getMessage());
        }
    }

    @Test
    void dirtyBitmapModeNeedsADirtyLog() {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            String message = refused(meter, 1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_BITMAP))
                    .getMessage();
            assertTrue(message.contains("DirtyLog"), message);
        }
    }

    @Test
    void dirtyRingModeNeedsTheVcpuCount() {
        try (DirtyRateMeter meter = meter(new FakeGuest().ring(new FakeRing(1)), NO_WAIT)) {
            String message = refused(meter, 1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_RING))
                    .getMessage();
            assertTrue(message.contains("VcpuControl"), message);
        }
    }

    @Test
    void aRunningMeasurementRefusesEvenAnInvalidRequest() throws InterruptedException {
        SteppedPause pause = new SteppedPause();
        try (DirtyRateMeter meter = meter(new FakeGuest(), pause)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            pause.awaitEntered();
            assertEquals("the dirty rate is already being measured.",
                    refused(meter, 0, OptionalLong.empty(), Optional.empty()).getMessage());
            pause.tick();
            awaitMeasured(meter);
            meter.start(1, OptionalLong.empty(), Optional.empty());
            pause.awaitEntered();
            pause.tick();
            awaitMeasured(meter);
        }
    }

    @Test
    void aRefusedRequestLeavesTheLastResultAlone() throws InterruptedException {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            meter.start(7, OptionalLong.of(1000), Optional.empty());
            DirtyRateInfo before = awaitMeasured(meter);
            refused(meter, 1, OptionalLong.of(1), Optional.empty());
            assertEquals(before, meter.query());
        }
    }

    // ---- query-dirty-rate member presence ----

    @Test
    void beforeAnyMeasurementTheResultIsUnstartedZerosAndPageSampling() {
        try (DirtyRateMeter meter = meter(new FakeGuest(), NO_WAIT)) {
            DirtyRateInfo info = meter.query();
            assertEquals(DirtyRateInfo.builder().status(DirtyRateStatus.UNSTARTED).startTime(0).calcTime(0)
                    .samplePages(0).mode(DirtyRateMeasureMode.PAGE_SAMPLING).build(), info);
        }
    }

    @Test
    void whileMeasuringTheRequestIsShownWithoutARate() throws InterruptedException {
        SteppedPause pause = new SteppedPause();
        FakeRing ring = new FakeRing(2);
        try (DirtyRateMeter meter = meter(new FakeGuest().ring(ring).vcpus(2), pause)) {
            meter.start(3, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_RING));
            pause.awaitEntered();
            assertEquals(DirtyRateInfo.builder().status(DirtyRateStatus.MEASURING).startTime(NOW_SECONDS).calcTime(3)
                    .samplePages(512).mode(DirtyRateMeasureMode.DIRTY_RING).build(), meter.query());
            pause.tick();
            awaitMeasured(meter);
        }
    }

    @Test
    void measuredPageSamplingShowsTheRateAndTheSamplePages() throws InterruptedException {
        RamBlock block = ram("pc.ram", BIG);
        try (DirtyRateMeter meter = meter(new FakeGuest().blocks(block), NO_WAIT)) {
            meter.start(1, OptionalLong.of(1024), Optional.empty());
            assertEquals(DirtyRateInfo.builder().dirtyRate(0).status(DirtyRateStatus.MEASURED).startTime(NOW_SECONDS)
                    .calcTime(1).samplePages(1024).mode(DirtyRateMeasureMode.PAGE_SAMPLING).build(),
                    awaitMeasured(meter));
        }
    }

    // ---- page sampling ----

    @Test
    void everySampledPageDirtyGivesTheBlockSizePerPeriod() throws InterruptedException {
        RamBlock block = ram("pc.ram", BIG);
        long[] everyPage = new long[(int) BIG_PAGES];
        for (int i = 0; i < everyPage.length; i++) {
            everyPage[i] = i;
        }
        Pause writeAll = (ms, stop) -> {
            dirtyInBackground(block, everyPage);
            return false;
        };
        try (DirtyRateMeter meter = meter(new FakeGuest().blocks(block), writeAll)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            // 64 of 64 samples dirty × 128 MiB × 1000 / (64 × 1000 ms).
            assertEquals(OptionalLong.of(128), awaitMeasured(meter).dirtyRate());
        }
    }

    @Test
    void aQuarterOfThePagesDirtyGivesTheSampledFraction() throws InterruptedException {
        RamBlock block = ram("pc.ram", BIG);
        long[] everyFourth = new long[(int) (BIG_PAGES / 4)];
        for (int i = 0; i < everyFourth.length; i++) {
            everyFourth[i] = 4L * i;
        }
        Pause writeQuarter = (ms, stop) -> {
            dirtyInBackground(block, everyFourth);
            return false;
        };
        long seed = 20221214;
        try (DirtyRateMeter meter = new DirtyRateMeter(new FakeGuest().blocks(block), CLOCK, writeQuarter,
                new SplittableRandom(seed))) {
            meter.start(1, OptionalLong.of(16384), Optional.empty());
            long measured = awaitMeasured(meter).dirtyRate().orElseThrow();

            // 128 MiB × 16384 >> 30 = 2048 samples, each uniform in [0, 32767). Replaying the same
            // generator tells exactly which samples fall on a dirtied page.
            SplittableRandom replay = new SplittableRandom(seed);
            long dirtySamples = 0;
            for (int i = 0; i < 2048; i++) {
                if (replay.nextLong(0, BIG_PAGES - 1) % 4 == 0) {
                    dirtySamples++;
                }
            }
            long expected = dirtySamples * 128 * 1000 / (2048 * 1000);
            assertEquals(expected, measured);
            // And the fraction is the quarter that was written: 32 MB/s, ±8 is over 6 standard
            // deviations of a binomial(2048, 1/4) sample.
            assertTrue(Math.abs(measured - 32) <= 8, "rate " + measured);
        }
    }

    @Test
    void theLastPageOfABlockIsNeverSampled() throws InterruptedException {
        RamBlock block = ram("pc.ram", BIG);
        // Every draw at the top of its range: only the exclusive bound keeps the last page out.
        RandomGenerator highest = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new AssertionError("unbounded draw");
            }

            @Override
            public long nextLong(long origin, long bound) {
                return bound - 1;
            }
        };
        Pause writeLast = (ms, stop) -> {
            dirtyInBackground(block, BIG_PAGES - 1);
            return false;
        };
        try (DirtyRateMeter meter = new DirtyRateMeter(new FakeGuest().blocks(block), CLOCK, writeLast, highest)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            assertEquals(OptionalLong.of(0), awaitMeasured(meter).dirtyRate());
        }
        // The same draws do land on the page before it.
        Pause writeSecondToLast = (ms, stop) -> {
            dirtyInBackground(block, BIG_PAGES - 2);
            return false;
        };
        try (DirtyRateMeter meter = new DirtyRateMeter(new FakeGuest().blocks(block), CLOCK, writeSecondToLast,
                highest)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            assertEquals(OptionalLong.of(128), awaitMeasured(meter).dirtyRate());
        }
    }

    @Test
    void blocksUnder128MiBAreNotSampledAndNoSampleMeansMinusOne() throws InterruptedException {
        RamBlock small = ram("small", BIG - PAGE);
        long[] all = new long[(int) (BIG_PAGES - 1)];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Pause writeAll = (ms, stop) -> {
            dirtyInBackground(small, all);
            return false;
        };
        try (DirtyRateMeter meter = meter(new FakeGuest().blocks(small), writeAll)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            DirtyRateInfo info = awaitMeasured(meter);
            assertEquals(DirtyRateStatus.MEASURED, info.status());
            assertEquals(OptionalLong.of(-1), info.dirtyRate());
        }
    }

    @Test
    void aSmallBlockDoesNotDiluteOrAddToTheRate() throws InterruptedException {
        RamBlock big = ram("pc.ram", BIG);
        RamBlock small = ram("vga.vram", 16 * MIB);
        long[] bigPages = new long[(int) BIG_PAGES];
        for (int i = 0; i < bigPages.length; i++) {
            bigPages[i] = i;
        }
        Pause writeBig = (ms, stop) -> {
            dirtyInBackground(big, bigPages);
            return false;
        };
        try (DirtyRateMeter meter = meter(new FakeGuest().blocks(big, small), writeBig)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            // 128, not (128 + 16) × 64 / 64: the small block's MiB are not counted either.
            assertEquals(OptionalLong.of(128), awaitMeasured(meter).dirtyRate());
        }
    }

    @Test
    void aBlockReplacedDuringTheWindowIsDropped() throws InterruptedException {
        RamBlock before = ram("pc.ram", BIG);
        RamBlock after = ram("pc.ram", BIG);
        AtomicInteger calls = new AtomicInteger();
        FakeGuest guest = new FakeGuest().blocks(() -> List.of(calls.getAndIncrement() == 0 ? before : after));
        try (DirtyRateMeter meter = meter(guest, NO_WAIT)) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            assertEquals(OptionalLong.of(-1), awaitMeasured(meter).dirtyRate());
        }
    }

    @Test
    @Tag("slow")
    void aGuestWritingAllItsMemoryMeasuresItsSizePerSecondOnTheRealClock() throws InterruptedException {
        RamBlock block = ram("pc.ram", BIG);
        AtomicBoolean writing = new AtomicBoolean(true);
        // Increments a counter in every page, pass after pass: every page keeps changing.
        Thread writer = Thread.ofPlatform().start(() -> {
            MemorySegment memory = block.memory();
            long pass = 0;
            while (writing.get()) {
                pass++;
                for (long page = 0; page < BIG_PAGES; page++) {
                    memory.set(ValueLayout.JAVA_LONG, page * PAGE, pass);
                }
            }
        });
        try (DirtyRateMeter meter = new DirtyRateMeter(new FakeGuest().blocks(block), InstantSource.system())) {
            meter.start(1, OptionalLong.empty(), Optional.empty());
            DirtyRateInfo info = awaitMeasured(meter);
            assertEquals(OptionalLong.of(128), info.dirtyRate());
            assertEquals(1, info.calcTime());
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    // ---- dirty ring ----

    @Test
    void dirtyRingModeReportsEachVcpuAndTheirSum() throws InterruptedException {
        FakeRing ring = new FakeRing(3);
        Pause vcpusWrite = (ms, stop) -> {
            ring.add(0, 25600); // 100 MiB
            ring.add(1, 256); // 1 MiB
            ring.add(2, 255); // under 1 MiB: truncated to 0 before scaling
            return false;
        };
        try (DirtyRateMeter meter = meter(new FakeGuest().ring(ring).vcpus(3), vcpusWrite)) {
            meter.start(1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_RING));
            assertEquals(DirtyRateInfo.builder().dirtyRate(101).status(DirtyRateStatus.MEASURED).startTime(NOW_SECONDS)
                    .calcTime(1).samplePages(0).mode(DirtyRateMeasureMode.DIRTY_RING)
                    .vcpuDirtyRate(List.of(new DirtyRateVcpu(0, 100), new DirtyRateVcpu(1, 1), new DirtyRateVcpu(2, 0)))
                    .build(), awaitMeasured(meter));
        }
    }

    @Test
    void aWindowThatOverranIsMeasuredAtItsRealLength() throws InterruptedException {
        MutableClock clock = new MutableClock(NOW.toEpochMilli());
        AtomicInteger reads = new AtomicInteger();
        // Reading the start counter takes 1.5 s of clock time; by then 600 MiB were dirtied.
        DirtyRing slowRing = new DirtyRing() {
            @Override
            public int ringEntries() {
                return 4096;
            }

            @Override
            public long pagesReaped(int vcpu) {
                if (reads.getAndIncrement() == 0) {
                    clock.advance(1500);
                    return 0;
                }
                return 153_600;
            }

            @Override
            public void setRingFullSleep(int vcpu, long micros) {
            }
        };
        AtomicBoolean slept = new AtomicBoolean();
        Pause pause = (ms, stop) -> {
            slept.set(true);
            return false;
        };
        try (DirtyRateMeter meter = new DirtyRateMeter(new FakeGuest().ring(slowRing).vcpus(1), clock, pause,
                new SplittableRandom())) {
            meter.start(1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_RING));
            DirtyRateInfo info = awaitMeasured(meter);
            // 600 MB × 1000 / 1500 ms; calc-time is the 1500 ms in whole seconds.
            assertEquals(OptionalLong.of(400), info.dirtyRate());
            assertEquals(1, info.calcTime());
            assertFalse(slept.get(), "an overrun window must not sleep");
        }
    }

    // ---- dirty bitmap ----

    @Test
    void dirtyBitmapModeDiscardsTheFirstSyncAndCountsTheSecond() throws InterruptedException {
        NoMemoryBlock a = new NoMemoryBlock("a", 64 * MIB);
        NoMemoryBlock b = new NoMemoryBlock("b", 1000 * PAGE);
        FakeLog log = new FakeLog();
        log.secondSync("a", 128); // 8192 pages
        log.secondSync("b", 16); // 1024 bits, of which 1000 are pages
        try (DirtyRateMeter meter = meter(new FakeGuest().blocks(a, b).log(log), NO_WAIT)) {
            meter.start(1, OptionalLong.of(4096), mode(DirtyRateMeasureMode.DIRTY_BITMAP));
            // 9192 pages = 35.9 MB, truncated to 35, per 1000 ms.
            assertEquals(DirtyRateInfo.builder().dirtyRate(35).status(DirtyRateStatus.MEASURED).startTime(NOW_SECONDS)
                    .calcTime(1).samplePages(0).mode(DirtyRateMeasureMode.DIRTY_BITMAP).build(), awaitMeasured(meter));
        }
        assertEquals(List.of("start", "sync a", "clear a 0 16384", "sync b", "clear b 0 1000",
                "sync a", "sync b", "stop"), log.operations());
    }

    @Test
    void closingDuringADirtyBitmapMeasurementStopsTheLogAndTheThread() throws InterruptedException {
        FakeLog log = new FakeLog();
        SteppedPause pause = new SteppedPause();
        DirtyRateMeter meter = meter(new FakeGuest().blocks(new NoMemoryBlock("a", MIB)).log(log), pause);
        meter.start(1, OptionalLong.empty(), mode(DirtyRateMeasureMode.DIRTY_BITMAP));
        pause.awaitEntered();
        meter.close();
        assertEquals("stop", log.operations().getLast());
        assertEquals(0, Threads.alive("get_dirtyrate"));
        assertThrows(IllegalStateException.class, () -> meter.start(1, OptionalLong.empty(), Optional.empty()));
    }

    @Test
    void closeLeavesNoThreadBehind() throws InterruptedException {
        SteppedPause pause = new SteppedPause();
        DirtyRateMeter meter = meter(new FakeGuest(), pause);
        meter.start(1, OptionalLong.empty(), Optional.empty());
        pause.awaitEntered();
        assertEquals(1, Threads.alive("get_dirtyrate"));
        meter.close();
        assertEquals(0, Threads.alive("get_dirtyrate"));
    }

    /** A dirty log whose first sync per block reports everything and whose second reports a set number of words. */
    private static final class FakeLog implements DirtyLog {
        private final List<String> operations = Collections.synchronizedList(new ArrayList<>());
        private final java.util.Map<String, Integer> secondSyncWords = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<String, Integer> syncs = new java.util.concurrent.ConcurrentHashMap<>();

        void secondSync(String block, int fullWords) {
            secondSyncWords.put(block, fullWords);
        }

        List<String> operations() {
            return List.copyOf(operations);
        }

        @Override
        public void start() {
            operations.add("start");
        }

        @Override
        public void stop() {
            operations.add("stop");
        }

        @Override
        public long syncInto(RamBlock block, MemorySegment bitmap) {
            operations.add("sync " + block.name());
            int n = syncs.merge(block.name(), 1, Integer::sum);
            long words = n == 1 ? bitmap.byteSize() / 8 : secondSyncWords.getOrDefault(block.name(), 0);
            for (long w = 0; w < words; w++) {
                bitmap.set(ValueLayout.JAVA_LONG, w * 8, -1L);
            }
            return words * 64;
        }

        @Override
        public void clear(RamBlock block, long firstPage, long pageCount) {
            operations.add("clear " + block.name() + " " + firstPage + " " + pageCount);
        }
    }
}
