package dev.tern.core.state;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.CANCELLED;
import static dev.tern.api.MigrationStatus.CANCELLING;
import static dev.tern.api.MigrationStatus.COLO;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.DEVICE;
import static dev.tern.api.MigrationStatus.FAILED;
import static dev.tern.api.MigrationStatus.NONE;
import static dev.tern.api.MigrationStatus.POSTCOPY_ACTIVE;
import static dev.tern.api.MigrationStatus.POSTCOPY_PAUSED;
import static dev.tern.api.MigrationStatus.PRE_SWITCHOVER;
import static dev.tern.api.MigrationStatus.SETUP;
import static dev.tern.api.MigrationStatus.WAIT_UNPLUG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.Side;
import dev.tern.core.state.Recorder.Report;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusCellTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
    private static final Set<MigrationStatus> RUNNING = StatusPredicates.runningStates();

    private final AtomicBoolean events = new AtomicBoolean(true);
    private Recorder rec;
    private EventHub hub;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        hub = new EventHub(events::get, InstantSource.fixed(T0));
        hub.addStatusListener(rec);
        hub.addEventListener(rec);
    }

    private StatusCell source(MigrationStatus at) {
        StatusCell cell = SpecTables.cellAt(Side.SOURCE, at, hub);
        rec.clear();
        return cell;
    }

    private static Report src(MigrationStatus from, MigrationStatus to) {
        return new Report(Side.SOURCE, from, to);
    }

    private static MigrationEvent migration(MigrationStatus s) {
        return new MigrationStatusEvent(T0, s);
    }

    @Test
    void newCellIsNoneAndKnowsItsSide() {
        StatusCell cell = new StatusCell(Side.DESTINATION, hub);
        assertEquals(NONE, cell.get());
        assertEquals(Side.DESTINATION, cell.side());
        assertEquals("DESTINATION:none", cell.toString());
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void failedCasIsSilent() {
        StatusCell cell = source(ACTIVE);
        assertFalse(cell.compareAndSet(SETUP, FAILED));
        assertEquals(ACTIVE, cell.get());
        assertEquals(List.of(), rec.reports());
        assertEquals(List.of(), rec.events());
    }

    @Test
    void cancelWinsOverAConcurrentFailure() {
        StatusCell cell = source(ACTIVE);

        assertEquals(Optional.of(ACTIVE), cell.moveFromAny(RUNNING, CANCELLING));
        assertFalse(cell.compareAndSet(ACTIVE, FAILED));
        assertTrue(cell.compareAndSet(CANCELLING, CANCELLED));

        assertEquals(CANCELLED, cell.get());
        assertEquals(List.of(src(ACTIVE, CANCELLING), src(CANCELLING, CANCELLED)), rec.reports());
        assertEquals(List.of(migration(CANCELLING), migration(CANCELLED)), rec.events());
    }

    @Test
    void failureBeforeCancelMakesCancelANoOp() {
        StatusCell cell = source(ACTIVE);
        assertTrue(cell.compareAndSet(ACTIVE, FAILED));
        assertEquals(Optional.empty(), cell.moveFromAny(RUNNING, CANCELLING));
        assertEquals(FAILED, cell.get());
        assertEquals(List.of(src(ACTIVE, FAILED)), rec.reports());
    }

    @Test
    void cancelDuringSetupEndsCancelledWhateverTheConnectDoes() {
        // Spec §1.4 notes: connect completes (setup→active fails) or fails (setup→failed fails).
        StatusCell cell = source(SETUP);
        assertEquals(Optional.of(SETUP), cell.moveFromAny(RUNNING, CANCELLING));
        assertFalse(cell.compareAndSet(SETUP, ACTIVE));
        assertFalse(cell.compareAndSet(SETUP, FAILED));
        assertTrue(cell.compareAndSet(CANCELLING, CANCELLED));
        assertEquals(List.of(src(SETUP, CANCELLING), src(CANCELLING, CANCELLED)), rec.reports());
    }

    @Test
    void cancelDuringPreSwitchoverReleasesThePauseAndDeviceNeverHappens() {
        StatusCell cell = source(PRE_SWITCHOVER);
        List<MigrationStatus> seen = new ArrayList<>();

        assertEquals(Optional.of(PRE_SWITCHOVER), cell.moveFromAny(RUNNING, CANCELLING, seen::add));

        assertEquals(List.of(PRE_SWITCHOVER), seen);
        assertFalse(cell.compareAndSet(PRE_SWITCHOVER, DEVICE));
        assertFalse(cell.compareAndSet(DEVICE, FAILED));
        assertEquals(CANCELLING, cell.get());
    }

    @Test
    void cancelLoopRetriesFromTheStateAConcurrentTransitionLeft() {
        // The hook plays the migration thread woken by the released pause: it moves to device
        // before the cancel's CAS, which then fails, re-reads device and cancels from there.
        StatusCell cell = source(PRE_SWITCHOVER);
        List<MigrationStatus> seen = new ArrayList<>();

        Optional<MigrationStatus> movedFrom = cell.moveFromAny(RUNNING, CANCELLING, s -> {
            seen.add(s);
            if (s == PRE_SWITCHOVER) {
                assertTrue(cell.compareAndSet(PRE_SWITCHOVER, DEVICE));
            }
        });

        assertEquals(Optional.of(DEVICE), movedFrom);
        assertEquals(List.of(PRE_SWITCHOVER, DEVICE), seen);
        assertEquals(List.of(src(PRE_SWITCHOVER, DEVICE), src(DEVICE, CANCELLING)), rec.reports());
    }

    @Test
    void secondCancelRepeatsTheCancellingEventAsQemuDoes() {
        StatusCell cell = source(ACTIVE);
        cell.moveFromAny(RUNNING, CANCELLING);
        assertEquals(Optional.of(CANCELLING), cell.moveFromAny(RUNNING, CANCELLING));
        assertEquals(List.of(src(ACTIVE, CANCELLING), src(CANCELLING, CANCELLING)), rec.reports());
        assertEquals(List.of(migration(CANCELLING), migration(CANCELLING)), rec.events());
    }

    @ParameterizedTest
    @EnumSource(names = {"NONE", "COMPLETED", "FAILED", "CANCELLED", "COLO"})
    void cancelDoesNothingWhenNotRunning(MigrationStatus at) {
        // Spec §14.12: idle states and colo.
        StatusCell cell = source(at);
        assertEquals(Optional.empty(), cell.moveFromAny(RUNNING, CANCELLING));
        assertEquals(at, cell.get());
        assertEquals(List.of(), rec.reports());
    }

    @ParameterizedTest
    @EnumSource(names = {"SETUP", "WAIT_UNPLUG", "ACTIVE", "PRE_SWITCHOVER", "DEVICE", "POSTCOPY_ACTIVE",
        "POSTCOPY_PAUSED", "POSTCOPY_RECOVER", "CANCELLING"})
    void cancelMovesEveryRunningStateToCancelling(MigrationStatus at) {
        StatusCell cell = source(at);
        assertEquals(Optional.of(at), cell.moveFromAny(RUNNING, CANCELLING));
        assertEquals(CANCELLING, cell.get());
        assertEquals(List.of(src(at, CANCELLING)), rec.reports());
    }

    @Test
    void moveFromAnyRefusesASetWithAnIllegalMemberEvenIfItWouldNotMatch() {
        StatusCell dst = new StatusCell(Side.DESTINATION, hub);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> dst.moveFromAny(RUNNING, CANCELLING));
        assertTrue(ex.getMessage().startsWith("illegal DESTINATION migration status transition "), ex.getMessage());
        StatusCell cell = source(NONE);
        assertThrows(IllegalArgumentException.class, () -> cell.moveFromAny(Set.of(NONE, COLO), SETUP));
        assertEquals(NONE, cell.get());
    }

    @Test
    void moveFromAnyWithAnEmptySetDoesNothing() {
        StatusCell cell = source(ACTIVE);
        assertEquals(Optional.empty(), cell.moveFromAny(Set.of(), FAILED));
        assertEquals(ACTIVE, cell.get());
    }

    @ParameterizedTest
    @EnumSource(names = {"NONE", "COMPLETED", "FAILED", "CANCELLED"})
    void migrateInitStartsFromEveryIdleState(MigrationStatus at) {
        StatusCell cell = source(at);
        assertEquals(at, cell.migrateInit());
        assertEquals(SETUP, cell.get());
        assertEquals(List.of(src(at, SETUP)), rec.reports());
        assertEquals(List.of(migration(SETUP)), rec.events());
    }

    @ParameterizedTest
    @EnumSource(names = {"SETUP", "CANCELLING", "ACTIVE", "POSTCOPY_ACTIVE", "POSTCOPY_PAUSED", "POSTCOPY_RECOVER",
        "COLO", "PRE_SWITCHOVER", "DEVICE", "WAIT_UNPLUG"})
    void migrateInitRefusesANonIdleSource(MigrationStatus at) {
        StatusCell cell = source(at);
        IllegalStateException ex = assertThrows(IllegalStateException.class, cell::migrateInit);
        assertEquals("migrate_init needs an idle source status, not " + at.qapiName(), ex.getMessage());
        assertEquals(at, cell.get());
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void migrateInitIsForTheSourceOnly() {
        StatusCell dst = new StatusCell(Side.DESTINATION, hub);
        IllegalStateException ex = assertThrows(IllegalStateException.class, dst::migrateInit);
        assertEquals("migrate_init applies to the source status only", ex.getMessage());
    }

    @Test
    void sourceSetupEventIsGatedByTheEventsCapability() {
        events.set(false);
        StatusCell cell = source(NONE);
        cell.migrateInit();
        assertEquals(List.of(src(NONE, SETUP)), rec.reports());
        assertEquals(List.of(), rec.events());
    }

    @Test
    void destinationTransitionsAreReportedWithTheirSide() {
        StatusCell dst = new StatusCell(Side.DESTINATION, hub);
        assertTrue(dst.compareAndSet(NONE, ACTIVE));
        assertTrue(dst.compareAndSet(ACTIVE, COMPLETED));
        assertEquals(List.of(new Report(Side.DESTINATION, NONE, ACTIVE), new Report(Side.DESTINATION, ACTIVE, COMPLETED)),
                rec.reports());
        assertEquals(List.of(migration(ACTIVE), migration(COMPLETED)), rec.events());
    }

    @Test
    void aTransitionMadeByAListenerIsDeliveredAfterTheOneBeingDelivered() {
        EventHub orderHub = new EventHub(() -> false, InstantSource.fixed(T0));
        StatusCell reentrant = new StatusCell(Side.SOURCE, orderHub);
        List<Report> second = new ArrayList<>();
        AtomicInteger seenByInnerReturn = new AtomicInteger(-1);
        orderHub.addStatusListener((side, from, to) -> {
            if (to == POSTCOPY_ACTIVE) {
                assertTrue(reentrant.compareAndSet(POSTCOPY_ACTIVE, POSTCOPY_PAUSED));
                seenByInnerReturn.set(second.size());
            }
        });
        orderHub.addStatusListener((side, from, to) -> second.add(new Report(side, from, to)));
        for (var e : SpecTables.pathTo(Side.SOURCE, ACTIVE)) {
            reentrant.compareAndSet(e.from(), e.to());
        }
        second.clear();

        assertTrue(reentrant.compareAndSet(ACTIVE, POSTCOPY_ACTIVE));

        // The inner transition was not delivered before the outer one reached every listener...
        assertEquals(0, seenByInnerReturn.get());
        // ...and both arrived, in transition order.
        assertEquals(List.of(src(ACTIVE, POSTCOPY_ACTIVE), src(POSTCOPY_ACTIVE, POSTCOPY_PAUSED)), second);
        assertEquals(POSTCOPY_PAUSED, reentrant.get());
    }

    @Test
    void aThrowingListenerHidesNothingFromTheOthersNorFromLaterTransitions() {
        EventHub h = new EventHub(() -> true, InstantSource.fixed(T0));
        h.addStatusListener((side, from, to) -> {
            throw new IllegalStateException("listener bug");
        });
        h.addEventListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        h.addStatusListener(rec);
        h.addEventListener(rec);
        StatusCell cell = new StatusCell(Side.SOURCE, h);

        assertTrue(cell.compareAndSet(NONE, SETUP));
        assertTrue(cell.compareAndSet(SETUP, WAIT_UNPLUG));

        assertEquals(List.of(src(NONE, SETUP), src(SETUP, WAIT_UNPLUG)), rec.reports());
        assertEquals(List.of(migration(SETUP), migration(WAIT_UNPLUG)), rec.events());
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> new StatusCell(null, hub));
        assertThrows(NullPointerException.class, () -> new StatusCell(Side.SOURCE, null));
        StatusCell cell = source(ACTIVE);
        assertThrows(NullPointerException.class, () -> cell.compareAndSet(null, FAILED));
        assertThrows(NullPointerException.class, () -> cell.moveFromAny(null, CANCELLING));
        assertThrows(NullPointerException.class, () -> cell.moveFromAny(RUNNING, CANCELLING, null));
        assertEquals(ACTIVE, cell.get());
    }

    @Test
    void coloIgnoresCancelAndIsLeftByFailover() {
        StatusCell cell = source(ACTIVE);
        assertTrue(cell.compareAndSet(ACTIVE, COLO));
        assertEquals(Optional.empty(), cell.moveFromAny(RUNNING, CANCELLING));
        assertTrue(cell.compareAndSet(COLO, COMPLETED));
        assertEquals(List.of(src(ACTIVE, COLO), src(COLO, COMPLETED)), rec.reports());
    }
}
