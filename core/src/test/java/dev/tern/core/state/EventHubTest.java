package dev.tern.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStatus;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.event.ColoExitEvent;
import dev.tern.api.event.JobStatusChangeEvent;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationPassEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.Side;
import dev.tern.api.event.UnplugPrimaryEvent;
import dev.tern.api.job.JobStatus;
import dev.tern.core.state.Recorder.Report;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventHubTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private final AtomicBoolean events = new AtomicBoolean();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private Recorder rec;
    private EventHub hub;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        hub = new EventHub(events::get, now::get);
        hub.addStatusListener(rec);
        hub.addEventListener(rec);
    }

    @Test
    void statusChangeWithEventsOffReachesStatusListenersOnly() {
        hub.statusChanged(Side.SOURCE, MigrationStatus.SETUP, MigrationStatus.ACTIVE);
        assertEquals(List.of(new Report(Side.SOURCE, MigrationStatus.SETUP, MigrationStatus.ACTIVE)), rec.reports());
        assertEquals(List.of(), rec.events());
    }

    @Test
    void statusChangeWithEventsOnEmitsMigrationWithTheNewStatusAndTheClockTime() {
        events.set(true);
        now.set(T0.plusMillis(1234));
        hub.statusChanged(Side.DESTINATION, MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE);
        assertEquals(List.of(new Report(Side.DESTINATION, MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE)),
                rec.reports());
        assertEquals(List.of(new MigrationStatusEvent(T0.plusMillis(1234), MigrationStatus.POSTCOPY_ACTIVE)), rec.events());
        assertEquals("MIGRATION", rec.events().getFirst().qapiName());
    }

    @Test
    void theCapabilityIsReadAtEachEmission() {
        events.set(true);
        hub.statusChanged(Side.SOURCE, MigrationStatus.NONE, MigrationStatus.SETUP);
        events.set(false);
        hub.statusChanged(Side.SOURCE, MigrationStatus.SETUP, MigrationStatus.ACTIVE);
        events.set(true);
        hub.statusChanged(Side.SOURCE, MigrationStatus.ACTIVE, MigrationStatus.COMPLETED);
        assertEquals(List.of(new MigrationStatusEvent(T0, MigrationStatus.SETUP),
                new MigrationStatusEvent(T0, MigrationStatus.COMPLETED)), rec.events());
        assertEquals(3, rec.reports().size());
    }

    @Test
    void incomingListenerSetupEventIsUnconditionalAndChangesNoStatus() {
        events.set(false);
        hub.incomingListenerStarted();
        events.set(true);
        hub.incomingListenerStarted();
        assertEquals(List.of(new MigrationStatusEvent(T0, MigrationStatus.SETUP),
                new MigrationStatusEvent(T0, MigrationStatus.SETUP)), rec.events());
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void passIsGatedByTheEventsCapability() {
        hub.pass(1);
        assertEquals(List.of(), rec.events());
        events.set(true);
        now.set(T0.plus(Duration.ofSeconds(3)));
        hub.pass(2);
        assertEquals(List.of(new MigrationPassEvent(T0.plus(Duration.ofSeconds(3)), 2)), rec.events());
        assertEquals("MIGRATION_PASS", rec.events().getFirst().qapiName());
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void coloExitUnplugPrimaryAndJobStatusChangeAreUnconditional() {
        List<MigrationEvent> sent = List.of(
                new ColoExitEvent(T0, ColoMode.PRIMARY, ColoExitReason.REQUEST),
                new UnplugPrimaryEvent(T0, "net1"),
                new JobStatusChangeEvent(T0, "snap0", JobStatus.CONCLUDED));
        for (MigrationEvent e : sent) {
            hub.emit(e);
        }
        assertEquals(sent, rec.events());
    }

    @Test
    void emitRefusesTheGatedEvents() {
        events.set(true);
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> hub.emit(new MigrationStatusEvent(T0, MigrationStatus.ACTIVE)));
        assertTrue(a.getMessage().startsWith("MIGRATION is gated by the events capability"), a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> hub.emit(new MigrationPassEvent(T0, 3)));
        assertTrue(b.getMessage().startsWith("MIGRATION_PASS is gated by the events capability"), b.getMessage());
        assertEquals(List.of(), rec.events());
    }

    @Test
    void listenersAddedTwiceAreCalledTwiceAndRemovedOneAtATime() {
        List<String> calls = new ArrayList<>();
        dev.tern.api.event.MigrationEventListener l = e -> calls.add(e.qapiName());
        hub.addEventListener(l);
        hub.addEventListener(l);
        hub.emit(new UnplugPrimaryEvent(T0, "a"));
        assertEquals(2, calls.size());
        hub.removeEventListener(l);
        hub.emit(new UnplugPrimaryEvent(T0, "a"));
        assertEquals(3, calls.size());
        hub.removeEventListener(l);
        hub.removeEventListener(l);
        hub.emit(new UnplugPrimaryEvent(T0, "a"));
        assertEquals(3, calls.size());
    }

    @Test
    void removedStatusListenerIsNotCalled() {
        hub.removeStatusListener(rec);
        hub.statusChanged(Side.SOURCE, MigrationStatus.NONE, MigrationStatus.SETUP);
        assertEquals(List.of(), rec.reports());
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() {
        EventHub h = new EventHub(() -> true, InstantSource.fixed(T0));
        h.addEventListener(e -> {
            throw new IllegalStateException("bug");
        });
        h.addStatusListener((s, f, t) -> {
            throw new IllegalStateException("bug");
        });
        h.addEventListener(rec);
        h.addStatusListener(rec);
        h.statusChanged(Side.SOURCE, MigrationStatus.NONE, MigrationStatus.SETUP);
        h.emit(new UnplugPrimaryEvent(T0, "x"));
        assertEquals(1, rec.reports().size());
        assertEquals(2, rec.events().size());
    }

    @Test
    void destinationCellEventsFollowTheDestinationsOwnCapability() {
        // The dst's transitions are gated by its own events capability; the listener's setup event
        // is not.
        StatusCell dst = new StatusCell(Side.DESTINATION, hub);
        hub.incomingListenerStarted();
        dst.compareAndSet(MigrationStatus.NONE, MigrationStatus.ACTIVE);
        events.set(true);
        dst.compareAndSet(MigrationStatus.ACTIVE, MigrationStatus.COMPLETED);
        assertEquals(List.of(new MigrationStatusEvent(T0, MigrationStatus.SETUP),
                new MigrationStatusEvent(T0, MigrationStatus.COMPLETED)), rec.events());
        assertEquals(2, rec.reports().size());
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> new EventHub(null, InstantSource.system()));
        assertThrows(NullPointerException.class, () -> new EventHub(() -> true, null));
        assertThrows(NullPointerException.class, () -> hub.addEventListener(null));
        assertThrows(NullPointerException.class, () -> hub.addStatusListener(null));
        assertThrows(NullPointerException.class, () -> hub.emit(null));
        assertThrows(NullPointerException.class, () -> hub.statusChanged(Side.SOURCE, null, MigrationStatus.SETUP));
    }
}
