package dev.tern.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.info.CompressionStats;
import dev.tern.api.info.XbzrleCacheStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationCountersTest {
    private static final long TPS = 4096;

    private final ManualClock clock = new ManualClock(10_000);
    private final MigrationCounters c = new MigrationCounters(TPS, clock);

    @Test
    void freshCountersAreZeroAndStartNow() {
        CountersSnapshot s = c.snapshot();
        assertEquals(new RamCounts(0, 0, 0, 0, 0.0, 0, 0, TPS, 0, 0, 0, 0, 0, 0), s.ram());
        assertEquals(new XbzrleCounts(0, 0, 0, 0.0, 0.0, 0), s.xbzrle());
        assertEquals(new CompressionStats(0, 0, 0.0, 0, 0.0), s.compression());
        assertEquals(new Timings(0, 0, 0, 0, 0), s.timings());
        assertEquals(0, s.cpuThrottlePercentage());
        assertEquals(10_000, c.startTime());
        assertEquals(TPS, c.pageSize());
    }

    @ParameterizedTest(name = "running={0} postcopy={1} -> {2}")
    @CsvSource({
        "true,  false, PRECOPY",
        "true,  true,  PRECOPY",
        "false, true,  POSTCOPY",
        "false, false, DOWNTIME",
    })
    void transferPhaseFollowsQemusOrder(boolean running, boolean postcopy, TransferPhase expected) {
        assertEquals(expected, TransferPhase.of(running, postcopy));
    }

    @ParameterizedTest
    @CsvSource({"PRECOPY, 100, 0, 0", "DOWNTIME, 0, 100, 0", "POSTCOPY, 0, 0, 100"})
    void ramBytesGoToTransferredAndExactlyOnePhase(TransferPhase phase, long pre, long down, long post) {
        c.addRamBytes(phase, 60);
        c.addRamBytes(phase, 40);
        RamCounts r = c.snapshot().ram();
        assertEquals(100, r.transferred());
        assertEquals(List.of(pre, down, post), List.of(r.precopyBytes(), r.downtimeBytes(), r.postcopyBytes()));
        assertEquals(0, r.multifdBytes());
    }

    @Test
    void multifdBytesBypassThePhaseCounters() {
        c.addRamBytes(TransferPhase.PRECOPY, 8);
        c.addMultifdBytes(128 * TPS + 1072);
        RamCounts r = c.snapshot().ram();
        assertEquals(8 + 128 * TPS + 1072, r.transferred());
        assertEquals(128 * TPS + 1072, r.multifdBytes());
        assertEquals(8, r.precopyBytes());
        assertEquals(0, r.downtimeBytes());
        assertEquals(0, r.postcopyBytes());
        assertEquals(8 + 128 * TPS + 1072, c.transferred());
        assertEquals(128 * TPS + 1072, c.multifdBytes());
    }

    @Test
    void pageCountersAndNormalBytes() {
        c.addNormalPages(3);
        c.addNormalPages(2);
        c.addDuplicatePages(7);
        RamCounts r = c.snapshot().ram();
        assertEquals(5, r.normal());
        assertEquals(5 * TPS, r.normalBytes());
        assertEquals(7, r.duplicate());
        assertEquals(5, c.normalPages());
        assertEquals(7, c.duplicatePages());
    }

    @Test
    void dirtySyncCountReturnsThePassNumber() {
        assertEquals(1, c.incrementDirtySyncCount());
        assertEquals(2, c.incrementDirtySyncCount());
        assertEquals(2, c.dirtySyncCount());
        assertEquals(2, c.snapshot().ram().dirtySyncCount());
    }

    @Test
    void everySetterAndAdderLandsInItsOwnField() {
        fillEverything();
        CountersSnapshot s = c.snapshot();
        assertEquals(new RamCounts(1100, 2, 3, 4, 5.5, 1, 1, TPS, 1000, 8, 100, 0, 0, 1), s.ram());
        assertEquals(new XbzrleCounts(11, 12, 1, 0.25, 3.5, 1), s.xbzrle());
        assertEquals(new CompressionStats(21, 1, 0.5, 23, 2.75), s.compression());
        clock.set(10_000 + 777);
        assertEquals(new Timings(777, 0, 31, 33, 32), c.snapshot().timings());
        assertEquals(34, s.cpuThrottlePercentage());
        assertEquals(11, c.xbzrleBytes());
        assertEquals(12, c.xbzrlePages());
        assertEquals(1, c.xbzrleCacheMiss());
        assertEquals(21, c.compressedPages());
        assertEquals(1, c.compressionBusy());
        assertEquals(23, c.compressedSize());
    }

    @Test
    void resetZeroesRamCompressionAndTimesButKeepsXbzrle() {
        fillEverything();
        clock.set(50_000);

        c.reset();

        CountersSnapshot s = c.snapshot();
        assertEquals(new RamCounts(0, 0, 0, 0, 0.0, 0, 0, TPS, 0, 0, 0, 0, 0, 0), s.ram());
        assertEquals(new CompressionStats(0, 0, 0.0, 0, 0.0), s.compression());
        assertEquals(new Timings(0, 0, 0, 0, 0), s.timings());
        assertEquals(0, s.cpuThrottlePercentage());
        assertEquals(50_000, c.startTime());
        // QEMU never resets xbzrle_counters: they accumulate over the process lifetime.
        assertEquals(new XbzrleCounts(11, 12, 1, 0.25, 3.5, 1), s.xbzrle());

        c.addXbzrleBytes(5);
        c.addXbzrlePages(1);
        assertEquals(new XbzrleCounts(16, 13, 1, 0.25, 3.5, 1), c.snapshot().xbzrle());
    }

    @Test
    void calculateCompleteForPrecopyFreezesTotalTimeMeasuresDowntimeAndAveragesMbps() {
        clock.set(1_000);
        c.reset();
        c.setSetupTime(200);
        c.setMbps(99.0);
        clock.set(5_000);
        c.markDowntimeStart();
        clock.set(6_000);

        c.calculateComplete(1_000_000);

        Timings t = c.snapshot().timings();
        assertEquals(5_000, t.totalTime());
        assertEquals(1_000, t.downtime());
        assertEquals(1_000_000 * 8.0 / (5_000 - 200) / 1000, c.snapshot().ram().mbps());
        clock.set(60_000);
        assertEquals(5_000, c.snapshot().timings().totalTime(), "frozen");
        assertEquals(59_000, c.snapshot().timings().elapsed(), "elapsed keeps running");
    }

    @Test
    void calculateCompleteKeepsADowntimeMeasuredByPostcopy() {
        clock.set(1_000);
        c.reset();
        c.setDowntime(300);
        clock.set(9_000);
        c.calculateComplete(8_000_000);
        assertEquals(300, c.snapshot().timings().downtime());
        assertEquals(8_000, c.snapshot().timings().totalTime());
        assertEquals(8_000_000 * 8.0 / 8_000 / 1000, c.snapshot().ram().mbps());
    }

    @Test
    void calculateCompleteLeavesMbpsAloneWhenNoTimeWasSpentTransferring() {
        clock.set(1_000);
        c.reset();
        c.setSetupTime(500);
        c.setMbps(42.0);
        c.markDowntimeStart();
        clock.set(1_500);
        c.calculateComplete(123);
        assertEquals(42.0, c.snapshot().ram().mbps());
        assertEquals(500, c.snapshot().timings().totalTime());
    }

    @Test
    void xbzrleStatsCarryTheCacheSizeParameter() {
        c.addXbzrleBytes(10);
        assertEquals(new XbzrleCacheStats(64L << 20, 10, 0, 0, 0.0, 0.0, 0), c.snapshot().xbzrle().toStats(64L << 20));
    }

    @Test
    void constructorChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> new MigrationCounters(0, clock));
        assertThrows(NullPointerException.class, () -> new MigrationCounters(TPS, null));
        assertThrows(NullPointerException.class, () -> c.addRamBytes(null, 1));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void concurrentWritersLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                TransferPhase phase = TransferPhase.values()[t % 3];
                fs.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        c.addRamBytes(phase, 3);
                        c.addMultifdBytes(5);
                        c.addNormalPages(1);
                        c.addDuplicatePages(2);
                        c.incrementPostcopyRequests();
                        c.incrementXbzrleCacheMiss();
                        c.incrementDirtySyncCount();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long n = (long) threads * perThread;
        RamCounts r = c.snapshot().ram();
        assertEquals(8 * n, r.transferred());
        assertEquals(5 * n, r.multifdBytes());
        assertEquals(3 * n, r.precopyBytes() + r.downtimeBytes() + r.postcopyBytes());
        assertEquals(3L * perThread * 3, r.precopyBytes(), "threads 0, 3, 6");
        assertEquals(3L * perThread * 3, r.downtimeBytes(), "threads 1, 4, 7");
        assertEquals(3L * perThread * 2, r.postcopyBytes(), "threads 2, 5");
        assertEquals(n, r.normal());
        assertEquals(2 * n, r.duplicate());
        assertEquals(n, r.postcopyRequests());
        assertEquals(n, r.dirtySyncCount());
        assertEquals(n, c.snapshot().xbzrle().cacheMiss());
    }

    /** Sets every field to a distinct value (xbzrle ones included). */
    private void fillEverything() {
        c.addRamBytes(TransferPhase.PRECOPY, 100);
        c.addMultifdBytes(1000);
        c.addDuplicatePages(2);
        c.addNormalPages(3);
        c.setDirtyPagesRate(4);
        c.setMbps(5.5);
        c.incrementDirtySyncCount();
        c.incrementPostcopyRequests();
        c.setPagesPerSecond(8);
        c.incrementDirtySyncMissedZeroCopy();

        c.addXbzrleBytes(11);
        c.addXbzrlePages(12);
        c.incrementXbzrleCacheMiss();
        c.setXbzrleCacheMissRate(0.25);
        c.setXbzrleEncodingRate(3.5);
        c.incrementXbzrleOverflow();

        c.addCompressedPages(21);
        c.incrementCompressionBusy();
        c.setCompressionBusyRate(0.5);
        c.addCompressedSize(23);
        c.setCompressionRate(2.75);

        c.setSetupTime(31);
        c.setExpectedDowntime(32);
        c.setDowntime(33);
        c.setCpuThrottlePercentage(34);
    }
}
