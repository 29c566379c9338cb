package dev.tern.core.dirtyrate;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationException;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.core.dirtyrate.FakeRing.Sleep;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DirtyLimiterTest {
    private static final String RING_TEXT =
            "dirty page limit feature requires KVM with accelerator property 'dirty-ring-size' set'";
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochSecond(1_000_000));
    private static final OptionalLong ALL = OptionalLong.empty();

    private static OptionalLong cpu(long index) {
        return OptionalLong.of(index);
    }

    // ---- availability and cpu-index ----

    @Test
    void setWithoutADirtyRingIsRefused() {
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().vcpus(2))) {
            assertEquals(RING_TEXT, assertThrows(MigrationException.class, () -> limiter.set(ALL, 100)).getMessage());
            // The ring test comes before the index test.
            assertEquals(RING_TEXT, assertThrows(MigrationException.class, () -> limiter.set(cpu(9), 100)).getMessage());
        }
    }

    @Test
    void cancelWithoutADirtyRingIsSilentEvenWithABadIndex() {
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().vcpus(2))) {
            assertDoesNotThrow(() -> limiter.cancel(ALL));
            assertDoesNotThrow(() -> limiter.cancel(cpu(9)));
        }
    }

    @Test
    void aRingWithoutVcpuControlRefusesSetNamingVcpuControlAndIgnoresCancel() {
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(new FakeRing(2)))) {
            String message = assertThrows(MigrationException.class, () -> limiter.set(ALL, 100)).getMessage();
            assertTrue(message.contains("VcpuControl"), message);
            assertDoesNotThrow(() -> limiter.cancel(cpu(9)));
        }
    }

    @Test
    void cpuIndexMustBeAnExistingVcpu() {
        FakeRing ring = new FakeRing(4);
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(4), CLOCK, new SteppedPause())) {
            for (long bad : new long[] {-1, 4, Long.MAX_VALUE}) {
                assertEquals("incorrect cpu index specified",
                        assertThrows(MigrationException.class, () -> limiter.set(cpu(bad), 100)).getMessage());
                // cancel checks the index even when the service is not running
                assertEquals("incorrect cpu index specified",
                        assertThrows(MigrationException.class, () -> limiter.cancel(cpu(bad))).getMessage());
                // and a rate of 0 is a cancel, after the index check
                assertEquals("incorrect cpu index specified",
                        assertThrows(MigrationException.class, () -> limiter.set(cpu(bad), 0)).getMessage());
            }
            limiter.set(cpu(0), 100);
            limiter.set(cpu(3), 100);
            assertEquals(List.of(0L, 3L), limiter.query().stream().map(DirtyLimitInfo::cpuIndex).toList());
        }
    }

    @Test
    void cancelWhenTheServiceIsNotRunningDoesNothing() {
        FakeRing ring = new FakeRing(2);
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(2), CLOCK, new SteppedPause())) {
            limiter.cancel(cpu(1));
            limiter.cancel(ALL);
            assertEquals(List.of(), limiter.query());
            assertFalse(limiter.serviceThreadAlive());
            assertEquals(List.of(), ring.sleeps());
        }
    }

    // ---- service lifecycle ----

    @Test
    void theServiceRunsFromTheFirstLimitToTheLastCancel() {
        FakeRing ring = new FakeRing(3);
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(3), CLOCK, new SteppedPause())) {
            assertFalse(limiter.serviceThreadAlive());
            assertEquals(0, Threads.alive("dirtyrate-stat"));

            limiter.set(ALL, 100);
            assertTrue(limiter.serviceThreadAlive());
            assertEquals(List.of(new DirtyLimitInfo(0, 100, 0), new DirtyLimitInfo(1, 100, 0),
                    new DirtyLimitInfo(2, 100, 0)), limiter.query());

            limiter.set(cpu(1), 50);
            limiter.cancel(cpu(0));
            assertTrue(limiter.serviceThreadAlive());
            assertEquals(List.of(new DirtyLimitInfo(1, 50, 0), new DirtyLimitInfo(2, 100, 0)), limiter.query());

            limiter.set(cpu(2), 0);
            assertTrue(limiter.serviceThreadAlive());
            limiter.cancel(cpu(1));
            assertFalse(limiter.serviceThreadAlive());
            assertEquals(0, Threads.alive("dirtyrate-stat"));
            assertEquals(List.of(), limiter.query());

            limiter.set(cpu(2), 10);
            assertTrue(limiter.serviceThreadAlive());
            limiter.cancel(ALL);
            assertFalse(limiter.serviceThreadAlive());
        }
    }

    @Test
    void closeStopsTheServiceAndRefusesNewLimits() {
        FakeRing ring = new FakeRing(2);
        DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(2), CLOCK, new SteppedPause());
        limiter.set(ALL, 100);
        limiter.close();
        assertFalse(limiter.serviceThreadAlive());
        assertEquals(0, Threads.alive("dirtyrate-stat"));
        assertEquals(List.of(), limiter.query());
        assertThrows(IllegalStateException.class, () -> limiter.set(ALL, 100));
        limiter.close();
    }

    @Test
    void theRealServiceThreadStopsPromptlyOnCancel() {
        FakeRing ring = new FakeRing(1);
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(1))) {
            limiter.set(cpu(0), 100);
            assertTrue(limiter.serviceThreadAlive());
            // The stop latch ends the 1000 ms window: cancel returns with the thread gone.
            limiter.cancel(cpu(0));
            assertFalse(limiter.serviceThreadAlive());
        }
    }

    // ---- the control loop ----

    @Test
    void eachSecondTheLimitedVcpusAreMeasuredAndThrottled() throws InterruptedException {
        FakeRing ring = new FakeRing(2);
        SteppedPause pause = new SteppedPause();
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(2), CLOCK, pause)) {
            limiter.set(cpu(0), 100);

            pause.awaitEntered();
            ring.add(0, 102_400); // 400 MB in the 1000 ms window
            ring.add(1, 51_200); // 200 MB, not limited
            pause.tick();
            pause.awaitEntered(); // the next window has opened: the first one is processed
            // max = 400; ring_full = 16e6 / 400 = 40000; gap 75 % → pct 75 → 40000 × 75 / 25.
            assertEquals(List.of(new Sleep(0, 120_000)), ring.sleeps());
            assertEquals(List.of(new DirtyLimitInfo(0, 100, 400)), limiter.query());

            ring.add(0, 76_800); // 300 MB
            pause.tick();
            pause.awaitEntered();
            // max stays 400 → ring_full 40000; gap 200 × 100 / 300 = 66 → pct 66;
            // step = 40000 × 66 / 34 = 77647 → 197647.
            assertEquals(new Sleep(0, 197_647), ring.sleeps().getLast());
            assertEquals(List.of(new DirtyLimitInfo(0, 100, 300)), limiter.query());

            // Within tolerance: no change, nothing pushed.
            ring.add(0, 30_720); // 120 MB
            pause.tick();
            pause.awaitEntered();
            assertEquals(2, ring.sleeps().size());

            // Cancelling the vCPU takes its sleep away and stops the service.
            limiter.cancel(cpu(0));
            assertEquals(new Sleep(0, 0), ring.sleeps().getLast());
            assertFalse(limiter.serviceThreadAlive());

            // Limiting it again restores the throttle QEMU kept in the vCPU's state.
            limiter.set(cpu(0), 100);
            assertEquals(new Sleep(0, 197_647), ring.sleeps().getLast());
            assertEquals(List.of(new Sleep(0, 120_000), new Sleep(0, 197_647), new Sleep(0, 0), new Sleep(0, 197_647)),
                    ring.sleeps());
        }
    }

    @Test
    void aZeroRateClearsTheThrottleAndTheMaximumRateIsSharedAcrossVcpus() throws InterruptedException {
        FakeRing ring = new FakeRing(2);
        SteppedPause pause = new SteppedPause();
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(2), CLOCK, pause)) {
            limiter.set(ALL, 100);

            pause.awaitEntered();
            ring.add(0, 204_800); // 800 MB
            ring.add(1, 102_400); // 400 MB
            pause.tick();
            pause.awaitEntered();
            // vCPU 0: max 800, ring_full 20000, pct 87 (700 × 100 / 800) → 20000 × 87 / 13 = 133846.
            // vCPU 1: max still 800, ring_full 20000, pct 75 → 20000 × 75 / 25 = 60000.
            assertEquals(List.of(new Sleep(0, 133_846), new Sleep(1, 60_000)), ring.sleeps());

            pause.tick(); // nothing dirtied: current 0 → throttle 0 for both
            pause.awaitEntered();
            assertEquals(List.of(new Sleep(0, 0), new Sleep(1, 0)), ring.sleeps().subList(2, 4));
        }
    }

    @Test
    void ratesUnderOneMegabyteCountAsZero() throws InterruptedException {
        FakeRing ring = new FakeRing(1);
        SteppedPause pause = new SteppedPause();
        try (DirtyLimiter limiter = new DirtyLimiter(new FakeGuest().ring(ring).vcpus(1), CLOCK, pause)) {
            limiter.set(ALL, 1000);
            pause.awaitEntered();
            ring.add(0, 255);
            pause.tick();
            pause.awaitEntered();
            assertEquals(List.of(new DirtyLimitInfo(0, 1000, 0)), limiter.query());
            ring.add(0, 256);
            pause.tick();
            pause.awaitEntered();
            assertEquals(List.of(new DirtyLimitInfo(0, 1000, 1)), limiter.query());
        }
    }
}
