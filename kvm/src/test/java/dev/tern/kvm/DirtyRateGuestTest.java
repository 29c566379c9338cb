package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.dirtyrate.DirtyRateStatus;
import dev.tern.api.dirtyrate.DirtyRateVcpu;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QAPI {@code calc-dirty-rate} / {@code query-dirty-rate} (spec 11.1–11.5) in each of the three
 * modes, measuring a real KVM guest through the engine. The guest sweeps a range, writing one
 * byte per page per pass and reporting every pass on its serial port; the engine's reads that
 * open and close the measuring window record the pass count ({@link RecordingGuest}), so the
 * engine's figure is compared with what the guest did in the same window, never with a
 * wall-clock expectation.
 *
 * <p>Each mode counts something different, and the expected figure follows the mode:
 * <ul>
 *   <li>{@code dirty-ring}: every write to a page that was write-protected. The sweep (8192
 *       pages) is twice the ring (4096 entries), so the ring fills, is harvested and its pages
 *       re-protected before the sweep comes back to them: every page of every pass counts. The
 *       counter read at each end of the window harvests the ring first, so the count is exact
 *       and the tolerance is one pass (the window's ends fall inside passes, the pass counter
 *       counts whole ones), in whole MB/s plus 1 for the truncation of QEMU's formula.</li>
 *   <li>{@code dirty-bitmap}: the pages dirty at the window's closing sync, each once however
 *       often it was written, as QEMU's. With at least one whole pass in the window that is
 *       exactly the sweep: its size in MB over the window.</li>
 *   <li>{@code page-sampling}: 512 pages per GiB hashed before and after, so a 128 MiB block
 *       gets 64 samples and each counts 2 MB/s; a sample is dirty if it lies in the sweep and
 *       its byte changed (it does unless the page was swept a multiple of 256 times). The sweep
 *       covers all but the first MiB, so on average half a sample misses it; the bound allows
 *       four misses (five or more: chance below 1 in 5000). A window with less than two whole
 *       passes, or with a pass count one off a multiple of 256, is measured again.</li>
 * </ul>
 */
@RequiresKvm
@Timeout(120)
class DirtyRateGuestTest {
    static final long MIB = 1L << 20;
    static final long PAGE = SweepGuestProgram.PAGE;
    /** Passes a dirty-ring window must hold for the comparison to say something. */
    private static final long MIN_RING_PASSES = 4;
    private static final System.Logger LOG = System.getLogger(DirtyRateGuestTest.class.getName());

    @Test
    void dirtyRingCountsEveryWriteTheGuestMade() throws InterruptedException {
        try (RecordingGuest guest = new RecordingGuest(64 * MIB, MIB, 33 * MIB, DirtyTrackingMode.RING);
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            guest.awaitPasses(3);
            for (int attempt = 1; ; attempt++) {
                vm.calcDirtyRate(1, OptionalLong.empty(), Optional.of(DirtyRateMeasureMode.DIRTY_RING));
                DirtyRateInfo info = awaitMeasured(vm);

                List<RecordingGuest.Progress> reads = guest.ringReads();
                long passes = reads.getLast().passes() - reads.get(reads.size() - 2).passes();
                // The first read turns dirty logging on, and the guest's first pass after that
                // write-faults on every page: a window that slow proves little, so it is taken again.
                if (passes < MIN_RING_PASSES && attempt < 3) {
                    continue;
                }
                guest.assumeRingKeptTrack();
                long guestRate = (passes * guest.pagesPerPass() * PAGE >>> 20) * 1000 / (info.calcTime() * 1000);
                long tolerance = (guest.pagesPerPass() * PAGE >>> 20) + 1;
                long measured = info.dirtyRate().orElseThrow();
                LOG.log(System.Logger.Level.INFO, "dirty-ring: measured {0} MB/s, the guest wrote {1} MB/s ({2}"
                        + " passes), tolerance {3}", measured, guestRate, passes, tolerance);
                assertTrue(passes >= MIN_RING_PASSES, () -> "the guest made " + passes + " passes in the window");
                assertTrue(Math.abs(measured - guestRate) <= tolerance,
                        () -> "measured " + measured + " MB/s, the guest wrote " + guestRate + " MB/s");
                assertEquals(DirtyRateMeasureMode.DIRTY_RING, info.mode());
                assertEquals(0, info.samplePages());
                assertEquals(Optional.of(List.of(new DirtyRateVcpu(0, measured))), info.vcpuDirtyRate());
                return;
            }
        }
    }

    @Test
    void dirtyBitmapCountsEachPageOncePerWindow() throws InterruptedException {
                try (RecordingGuest guest = new RecordingGuest(64 * MIB, MIB, 33 * MIB, DirtyTrackingMode.MANUAL_CLEAR);
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            guest.awaitPasses(3);

            vm.calcDirtyRate(1, OptionalLong.empty(), Optional.of(DirtyRateMeasureMode.DIRTY_BITMAP));
            DirtyRateInfo info = awaitMeasured(vm);

            // The discarded sync that opens the window and the sync that closes it.
            List<RecordingGuest.Progress> syncs = guest.syncs();
            long passes = syncs.getLast().passes() - syncs.get(syncs.size() - 2).passes();
            assertTrue(passes >= 2, () -> "the window must hold a whole pass: " + passes);
            long sweepMb = guest.pagesPerPass() * PAGE >>> 20;
            long measured = info.dirtyRate().orElseThrow();
            LOG.log(System.Logger.Level.INFO, "dirty-bitmap: measured {0} MB/s, sweep {1} MB, the guest wrote {2} MB"
                    + " in {3} passes", measured, sweepMb, passes * sweepMb, passes);
            // QEMU's formula over a window of calc-time seconds, at least 1000 ms, under 1000 ms more.
            long windowMs = info.calcTime() * 1000;
            assertTrue(measured <= sweepMb * 1000 / windowMs && measured >= sweepMb * 1000 / (windowMs + 999),
                    () -> "measured " + measured + " MB/s, the sweep is " + sweepMb + " MB over " + windowMs + " ms");
            assertEquals(DirtyRateMeasureMode.DIRTY_BITMAP, info.mode());
            assertEquals(0, info.samplePages());
            assertEquals(Optional.empty(), info.vcpuDirtyRate());
        }
    }

    @Test
    void pageSamplingSeesTheSweptShareOfRam() throws InterruptedException {
        long ram = 128 * MIB;
                try (RecordingGuest guest = new RecordingGuest(ram, MIB, ram, DirtyTrackingMode.BITMAP);
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            guest.awaitPasses(3);
            for (int attempt = 1; ; attempt++) {
                vm.calcDirtyRate(1, OptionalLong.empty(), Optional.empty());
                DirtyRateInfo info = awaitMeasured(vm);

                // ramBlocks() is read when the pages are hashed and when they are hashed again.
                List<RecordingGuest.Progress> reads = guest.blockReads();
                long passes = reads.getLast().passes() - reads.get(reads.size() - 2).passes();
                // A page swept a multiple of 256 times in the window has its old byte again and
                // its old CRC: the window is measured again rather than the bound loosened.
                if ((passes < 2 || Math.floorMod(passes + 1, 256) <= 2) && attempt < 5) {
                    continue;
                }
                assertTrue(passes >= 2, () -> "the window must hold a whole pass: " + passes);
                long measured = info.dirtyRate().orElseThrow();
                long ramMb = ram >>> 20;
                long samples = ram * 512 >>> 30;
                long perSample = ramMb * 1000 / (samples * info.calcTime() * 1000);
                LOG.log(System.Logger.Level.INFO, "page-sampling: measured {0} MB/s of {1} MB of RAM, the guest swept"
                        + " {2} MB {3} times", measured, ramMb, guest.pagesPerPass() * PAGE >>> 20, passes);
                assertTrue(measured <= ramMb && measured >= ramMb - 4 * perSample,
                        () -> "measured " + measured + " MB/s; the guest changed all but the first MiB of " + ramMb);
                assertEquals(DirtyRateMeasureMode.PAGE_SAMPLING, info.mode());
                assertEquals(512, info.samplePages());
                return;
            }
        }
    }

    static DirtyRateInfo awaitMeasured(MigrationControl vm) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            DirtyRateInfo info = vm.queryDirtyRate();
            if (info.status() == DirtyRateStatus.MEASURED) {
                return info;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no measurement: " + info);
            }
            Thread.sleep(20);
        }
    }
}
