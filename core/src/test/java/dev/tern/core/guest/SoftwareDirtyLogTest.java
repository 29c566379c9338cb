package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.DirtyBitmap;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dirty log's promise to the engine: every page the guest changed after logging started is
 * reported by a sync, and nothing is reported when logging is off.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SoftwareDirtyLogTest {

    static Stream<Arguments> workloads() {
        return Stream.of(
                Arguments.of("sweep", Workload.sequentialSweep(0, 2L << 20), 1),
                Arguments.of("sweep with idle vCPUs", Workload.sequentialSweep(1L << 20, 3L << 20), 3),
                Arguments.of("uniform random", Workload.uniformRandom(0), 3),
                Arguments.of("uniform random, rate limited", Workload.uniformRandom(20_000), 2),
                Arguments.of("hot set", Workload.hotSet(0.05, 0.9, 0), 4));
    }

    private static ReferenceGuest guest(Workload workload, int vcpus) {
        return ReferenceGuest.builder()
                .ramBlock("pc.ram", 4L << 20)
                .ramBlock("extra", 1L << 20)
                .vcpus(vcpus)
                .workload(workload)
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void everyPageChangedWhileLoggingIsReported(String name, Workload workload, int vcpus) {
        try (ReferenceGuest guest = guest(workload, vcpus)) {
            // Run a little first so that the snapshot is not all zeros.
            guest.start();
            GuestProbes.sleep(20);
            guest.referenceVcpus().pause();
            List<MemorySegment> before = GuestProbes.snapshot(guest);

            guest.softwareDirtyLog().start();
            guest.referenceVcpus().resume();
            GuestProbes.sleep(200);
            guest.referenceVcpus().pause();

            int changed = 0;
            for (int b = 0; b < guest.ramBlocks().size(); b++) {
                RamBlock block = guest.ramBlocks().get(b);
                DirtyBitmap reported = GuestProbes.sync(guest, block);
                for (long page : GuestProbes.changedPages(block, before.get(b))) {
                    changed++;
                    assertTrue(reported.get(page), name + ": page " + page + " of " + block.name()
                            + " changed but was not reported");
                }
            }
            assertTrue(changed > 0, name + ": the workload changed nothing, the test proved nothing");
        }
    }

    @Test
    void startingTheLogWhileTheGuestRunsLetsNoWriteSlipThrough() {
        try (ReferenceGuest guest = guest(Workload.uniformRandom(0), 3)) {
            guest.start();
            GuestProbes.await(() -> guest.pagesWritten() > 0, "the guest to write");
            guest.softwareDirtyLog().start();
            // Each page is copied after start() returned: whatever differs later was written
            // after start(), so it must have been marked.
            List<MemorySegment> after = GuestProbes.snapshot(guest);
            GuestProbes.sleep(50);
            guest.referenceVcpus().pause();
            int changed = 0;
            for (int b = 0; b < guest.ramBlocks().size(); b++) {
                RamBlock block = guest.ramBlocks().get(b);
                DirtyBitmap reported = GuestProbes.sync(guest, block);
                for (long page : GuestProbes.changedPages(block, after.get(b))) {
                    changed++;
                    assertTrue(reported.get(page), "page " + page + " of " + block.name() + " was not reported");
                }
            }
            assertTrue(changed > 0, "the workload changed nothing, the test proved nothing");
        }
    }

    @Test
    void aSyncTakesThePagesSoTheNextOneReportsOnlyNewWrites() {
        try (ReferenceGuest guest = guest(Workload.sequentialSweep(0, 1L << 20), 1)) {
            RamBlock ram = guest.ramBlocks().get(0);
            guest.softwareDirtyLog().start();
            guest.start();
            GuestProbes.await(() -> guest.passes() >= 1, "a full pass");
            guest.referenceVcpus().pause();
            assertEquals(256, guest.softwareDirtyLog().pendingPages(ram), "one pass marks all 256 pages");
            DirtyBitmap engine = new DirtyBitmap(ram.usedLength() / GuestMemory.PAGE_SIZE);
            assertEquals(256, guest.softwareDirtyLog().syncInto(ram, engine.words()));
            assertEquals(256, engine.count());
            assertEquals(0, guest.softwareDirtyLog().pendingPages(ram));
            assertEquals(0, guest.softwareDirtyLog().syncInto(ram, engine.words()), "nothing new while paused");
            assertEquals(0, guest.softwareDirtyLog().syncInto(guest.ramBlocks().get(1), engine.words()),
                    "the sweep never touches the second block");
        }
    }

    @Test
    void nothingIsMarkedWhileLoggingIsOff() {
        try (ReferenceGuest guest = guest(Workload.uniformRandom(0), 2)) {
            SoftwareDirtyLog log = guest.softwareDirtyLog();
            assertFalse(log.logging());
            log.start();
            assertTrue(log.logging());
            log.stop();
            assertFalse(log.logging());
            guest.start();
            GuestProbes.await(() -> guest.pagesWritten() > 1000, "the guest to write");
            guest.referenceVcpus().pause();
            for (RamBlock block : guest.ramBlocks()) {
                assertEquals(0, log.pendingPages(block), block.name());
            }
        }
    }

    @Test
    void startingAgainForgetsMarksFromAnEarlierMigration() {
        try (ReferenceGuest guest = guest(Workload.sequentialSweep(0, 1L << 20), 1)) {
            RamBlock ram = guest.ramBlocks().get(0);
            guest.softwareDirtyLog().start();
            guest.start();
            GuestProbes.await(() -> guest.softwareDirtyLog().pendingPages(ram) > 0, "a mark");
            guest.referenceVcpus().pause();
            guest.softwareDirtyLog().stop();
            guest.softwareDirtyLog().start();
            assertEquals(0, guest.softwareDirtyLog().pendingPages(ram));
        }
    }

    @Test
    void foreignBlocksAndShortBitmapsAreRejected() {
        try (ReferenceGuest guest = guest(Workload.idle(), 1);
                ReferenceGuest other = guest(Workload.idle(), 1)) {
            RamBlock foreign = other.ramBlocks().get(0);
            assertEquals("RAM block pc.ram does not belong to this guest",
                    assertThrows(IllegalArgumentException.class,
                            () -> guest.softwareDirtyLog().syncInto(foreign, MemorySegment.ofArray(new long[16])))
                            .getMessage());
            // 4 MiB is 1024 pages: 16 words, 128 bytes.
            assertEquals("target bitmap of 120 bytes is too small for 1024 pages (needs 128)",
                    assertThrows(IllegalArgumentException.class,
                            () -> guest.softwareDirtyLog().syncInto(guest.ramBlocks().get(0),
                                    MemorySegment.ofArray(new long[15]))).getMessage());
        }
    }
}
