package dev.tern.core.state;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.CANCELLED;
import static dev.tern.api.MigrationStatus.CANCELLING;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.DEVICE;
import static dev.tern.api.MigrationStatus.FAILED;
import static dev.tern.api.MigrationStatus.POSTCOPY_ACTIVE;
import static dev.tern.api.MigrationStatus.PRE_SWITCHOVER;
import static dev.tern.api.MigrationStatus.SETUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import dev.tern.core.state.Recorder.Report;
import dev.tern.core.state.SwitchoverPause.Outcome;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SwitchoverPauseTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private Recorder rec;
    private EventHub hub;
    private CountDownLatch parked;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        parked = new CountDownLatch(1);
        hub = new EventHub(() -> false, InstantSource.fixed(T0));
        hub.addStatusListener(rec);
        hub.addStatusListener((side, from, to) -> {
            if (to == PRE_SWITCHOVER) {
                parked.countDown();
            }
        });
    }

    @AfterEach
    void tearDown() {
        thread.shutdownNow();
    }

    private StatusCell source(MigrationStatus at) {
        StatusCell cell = SpecTables.cellAt(Side.SOURCE, at, hub);
        rec.clear();
        return cell;
    }

    private static Report src(MigrationStatus from, MigrationStatus to) {
        return new Report(Side.SOURCE, from, to);
    }

    @Test
    void precopyPauseWaitsForContinueThenMovesToDevice() throws Exception {
        StatusCell cell = source(ACTIVE);
        SwitchoverPause pause = new SwitchoverPause(cell);

        Future<Outcome> outcome = thread.submit(() -> pause.pause(ACTIVE, DEVICE));
        parked.await();
        pause.migrateContinue(PRE_SWITCHOVER);

        assertEquals(new Outcome(true, DEVICE), outcome.get());
        assertEquals(DEVICE, cell.get());
        assertEquals(List.of(src(ACTIVE, PRE_SWITCHOVER), src(PRE_SWITCHOVER, DEVICE)), rec.reports());
        assertEquals(0, pause.pendingReleases());
    }

    @Test
    void postcopySwitchoverPauseResumesIntoPostcopyActive() throws Exception {
        StatusCell cell = source(ACTIVE);
        SwitchoverPause pause = new SwitchoverPause(cell);

        Future<Outcome> outcome = thread.submit(() -> pause.pause(ACTIVE, POSTCOPY_ACTIVE));
        parked.await();
        pause.migrateContinue(PRE_SWITCHOVER);

        assertEquals(new Outcome(true, POSTCOPY_ACTIVE), outcome.get());
        assertEquals(List.of(src(ACTIVE, PRE_SWITCHOVER), src(PRE_SWITCHOVER, POSTCOPY_ACTIVE)), rec.reports());
    }

    @ParameterizedTest
    @EnumSource(names = {"NONE", "SETUP", "ACTIVE", "DEVICE", "POSTCOPY_ACTIVE", "COMPLETED", "CANCELLING"})
    void continueOutsidePreSwitchoverNamesTheCurrentState(MigrationStatus at) {
        SwitchoverPause pause = new SwitchoverPause(source(at));
        MigrationStateException e = assertThrows(MigrationStateException.class, () -> pause.migrateContinue(PRE_SWITCHOVER));
        assertEquals("Migration not in expected state: " + at.qapiName(), e.getMessage());
        assertEquals(0, pause.pendingReleases());
    }

    @Test
    void continueComparesTheExactStateName() {
        // In pre-switchover, a continue naming another state is refused even though the
        // migration is paused.
        StatusCell cell = source(PRE_SWITCHOVER);
        SwitchoverPause pause = new SwitchoverPause(cell);
        MigrationStateException e = assertThrows(MigrationStateException.class, () -> pause.migrateContinue(DEVICE));
        assertEquals("Migration not in expected state: pre-switchover", e.getMessage());
        pause.migrateContinue(PRE_SWITCHOVER);
        pause.migrateContinue(PRE_SWITCHOVER);
        assertEquals(2, pause.pendingReleases());
    }

    @Test
    void staleContinuesAreDrainedWhenTheNextPauseBegins() throws Exception {
        // Migration 1: a client sent two continues while paused; one release was never consumed
        // by a waiting thread (here: none waited at all).
        StatusCell cell = source(PRE_SWITCHOVER);
        SwitchoverPause pause = new SwitchoverPause(cell);
        pause.migrateContinue(PRE_SWITCHOVER);
        pause.migrateContinue(PRE_SWITCHOVER);
        assertTrue(cell.compareAndSet(PRE_SWITCHOVER, DEVICE));
        assertTrue(cell.compareAndSet(DEVICE, COMPLETED));
        // Migration 2 reaches its pause point.
        cell.migrateInit();
        assertTrue(cell.compareAndSet(SETUP, ACTIVE));
        parked = new CountDownLatch(1);

        Future<Outcome> outcome = thread.submit(() -> pause.pause(ACTIVE, DEVICE));
        parked.await();

        // The stale releases were thrown away before the thread parked, so it still waits.
        assertEquals(0, pause.pendingReleases());
        assertEquals(PRE_SWITCHOVER, cell.get());
        pause.migrateContinue(PRE_SWITCHOVER);
        assertEquals(new Outcome(true, DEVICE), outcome.get());
    }

    @Test
    void cancelDuringThePauseReleasesItAndEndsCancelled() throws Exception {
        StatusCell cell = source(ACTIVE);
        SwitchoverPause pause = new SwitchoverPause(cell);
        Future<Outcome> outcome = thread.submit(() -> pause.pause(ACTIVE, DEVICE));
        parked.await();

        Optional<MigrationStatus> from = MigrateCancel.moveToCancelling(cell, pause);

        Outcome o = outcome.get();
        assertEquals(DEVICE, o.activeState());
        assertEquals(CANCELLING, cell.get());
        // Either the cancel's CAS beat the woken thread, or the thread reached device first and
        // the cancel loop went round once more; both end in cancelling.
        assertTrue(from.equals(Optional.of(PRE_SWITCHOVER)) || from.equals(Optional.of(DEVICE)), from.toString());
        if (from.equals(Optional.of(PRE_SWITCHOVER))) {
            assertFalse(o.resumed());
            assertEquals(List.of(src(ACTIVE, PRE_SWITCHOVER), src(PRE_SWITCHOVER, CANCELLING)), rec.reports());
        }
        // The completion's failure CAS is silent; cleanup produces cancelled.
        assertFalse(cell.compareAndSet(o.activeState(), FAILED));
        assertTrue(cell.compareAndSet(CANCELLING, CANCELLED));
    }

    @Test
    void pauseAfterACancelDoesNotParkAtAll() throws Exception {
        StatusCell cell = source(ACTIVE);
        SwitchoverPause pause = new SwitchoverPause(cell);
        MigrateCancel.moveToCancelling(cell, pause);
        rec.clear();

        assertEquals(new Outcome(false, ACTIVE), pause.pause(ACTIVE, DEVICE));
        assertEquals(CANCELLING, cell.get());
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void pauseFromAStateThatIsNotCurrentDoesNotWait() throws Exception {
        // A cancel that slips in after the check leaves the CAS to pre-switchover failing; QEMU
        // would then wait for a release nobody sends. Simulated with a failed source.
        StatusCell cell = source(ACTIVE);
        assertTrue(cell.compareAndSet(ACTIVE, FAILED));
        SwitchoverPause pause = new SwitchoverPause(cell);
        assertEquals(new Outcome(false, DEVICE), pause.pause(ACTIVE, DEVICE));
        assertEquals(FAILED, cell.get());
    }

    @Test
    void pauseRefusesEdgesTheSourceCannotTake() {
        SwitchoverPause pause = new SwitchoverPause(source(ACTIVE));
        assertThrows(IllegalArgumentException.class, () -> pause.pause(DEVICE, DEVICE));
        assertThrows(IllegalArgumentException.class, () -> pause.pause(ACTIVE, COMPLETED));
        assertEquals(0, pause.pendingReleases());
    }

    @Test
    void theHandshakeIsForTheSourceOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SwitchoverPause(new StatusCell(Side.DESTINATION, hub)));
        assertEquals("pause-before-switchover applies to the source status only", e.getMessage());
        assertThrows(NullPointerException.class, () -> new SwitchoverPause(null));
    }
}
