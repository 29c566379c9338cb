package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pause, resume and throttle of the reference guest's vCPUs. No assertion depends on speed. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ReferenceVcpusTest {

    private static ReferenceGuest randomGuest(int vcpus) {
        return ReferenceGuest.builder()
                .ramBlock("pc.ram", 2L << 20)
                .ramBlock("vga.vram", 1L << 20)
                .vcpus(vcpus)
                .workload(Workload.uniformRandom(0))
                .build();
    }

    @Test
    void whilePausedRamDoesNotChange() {
        try (ReferenceGuest guest = randomGuest(4)) {
            ReferenceVcpus vcpus = guest.referenceVcpus();
            guest.start();
            assertTrue(vcpus.running());
            GuestProbes.await(() -> guest.pagesWritten() > 10_000, "the guest to write");
            vcpus.pause();
            assertFalse(vcpus.running());
            List<MemorySegment> atPause = GuestProbes.snapshot(guest);
            long writtenAtPause = guest.pagesWritten();
            List<VcpuProgress> progressAtPause = guest.progress();

            GuestProbes.sleep(100);

            for (int b = 0; b < atPause.size(); b++) {
                RamBlock block = guest.ramBlocks().get(b);
                assertEquals(List.of(), GuestProbes.changedPages(block, atPause.get(b)),
                        "pages of " + block.name() + " changed while paused");
            }
            assertEquals(writtenAtPause, guest.pagesWritten());
            assertEquals(progressAtPause, guest.progress());

            vcpus.resume();
            assertTrue(vcpus.running());
            GuestProbes.await(() -> guest.pagesWritten() > writtenAtPause, "writes after resume");
        }
    }

    @Test
    void pauseAndResumeAreIdempotent() {
        try (ReferenceGuest guest = randomGuest(2)) {
            ReferenceVcpus vcpus = guest.referenceVcpus();
            vcpus.pause();
            assertFalse(vcpus.running(), "not running before the first resume");
            vcpus.resume();
            vcpus.resume();
            assertTrue(vcpus.running());
            assertEquals(2, GuestProbes.vcpuThreads(), "the second resume must not start more threads");
            vcpus.pause();
            vcpus.pause();
            assertFalse(vcpus.running());
            assertEquals(2, vcpus.vcpuCount());
        }
    }

    @Test
    void idleVcpusPauseAndEnd() {
        try (ReferenceGuest guest = ReferenceGuest.builder().ramBlock("ram", 4096).vcpus(3).build()) {
            guest.start();
            GuestProbes.await(() -> GuestProbes.vcpuThreads() == 3, "three vCPU threads");
            guest.referenceVcpus().pause();
            guest.referenceVcpus().resume();
            assertEquals(0, guest.pagesWritten());
        }
        assertEquals(0, GuestProbes.vcpuThreads());
    }

    @ParameterizedTest(name = "{0}% sleeps {1} ns per slice")
    @CsvSource({
        "0, 0",
        "1, 101011",
        "20, 2500001",
        "50, 10000001",
        "66, 19411765",
        // Without QEMU's +1 ns guard, 0.99 / 0.01 rounds to 989999999.
        "99, 990000000"})
    void throttleSleepFollowsQemusArithmetic(int percent, long nanos) {
        assertEquals(nanos, ReferenceVcpus.sleepPerSliceNanos(percent));
    }

    @Test
    void throttleSleepRejectsPercentagesOutsideItsRange() {
        assertEquals("throttle percentage 100 is outside 0 to 99",
                assertThrows(IllegalArgumentException.class, () -> ReferenceVcpus.sleepPerSliceNanos(100)).getMessage());
        assertEquals("throttle percentage -1 is outside 0 to 99",
                assertThrows(IllegalArgumentException.class, () -> ReferenceVcpus.sleepPerSliceNanos(-1)).getMessage());
    }

    @Test
    void setThrottleClampsLikeQemuAndRejectsNegatives() {
        try (ReferenceGuest guest = randomGuest(1)) {
            ReferenceVcpus vcpus = guest.referenceVcpus();
            assertEquals(0, vcpus.throttlePercent());
            vcpus.setThrottle(1);
            assertEquals(1, vcpus.throttlePercent());
            vcpus.setThrottle(99);
            assertEquals(99, vcpus.throttlePercent());
            vcpus.setThrottle(150);
            assertEquals(99, vcpus.throttlePercent());
            vcpus.setThrottle(0);
            assertEquals(0, vcpus.throttlePercent());
            assertEquals("throttle percentage -5 is negative",
                    assertThrows(IllegalArgumentException.class, () -> vcpus.setThrottle(-5)).getMessage());
            assertEquals(0, vcpus.throttlePercent());
        }
    }

    @Test
    void aGuestThrottledAt99PercentStillPausesAndResumes() {
        try (ReferenceGuest guest = randomGuest(2)) {
            ReferenceVcpus vcpus = guest.referenceVcpus();
            vcpus.setThrottle(99);
            guest.start();
            GuestProbes.await(() -> guest.pagesWritten() > 0, "a first slice of writes");
            // The vCPUs spend 99% of their time asleep; pause must not wait for the sleep.
            vcpus.pause();
            long atPause = guest.pagesWritten();
            vcpus.resume();
            GuestProbes.await(() -> guest.pagesWritten() > atPause, "writes after resuming a throttled guest");
            vcpus.setThrottle(0);
            long unthrottled = guest.pagesWritten();
            GuestProbes.await(() -> guest.pagesWritten() > unthrottled, "writes after the throttle is lifted");
        }
    }

    @Test
    void resumeAfterCloseFails() {
        ReferenceGuest guest = randomGuest(1);
        guest.close();
        assertEquals("the reference guest is closed",
                assertThrows(IllegalStateException.class, guest::start).getMessage());
        assertFalse(guest.referenceVcpus().running());
        guest.referenceVcpus().pause();
    }
}
