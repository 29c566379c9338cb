package dev.tern.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.Side;
import dev.tern.core.state.SpecTables.Edge;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TransitionsTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    static Stream<Edge> legalEdges() {
        return SpecTables.legalEdges().stream();
    }

    static Stream<Edge> illegalEdges() {
        return SpecTables.illegalEdges().stream();
    }

    /** Illegal edges whose {@code from} the side can actually be in, so the cell can try them. */
    static Stream<Edge> illegalEdgesFromReachableStates() {
        return illegalEdges().filter(e -> SpecTables.pathTo(e.side(), e.from()) != null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legalEdges")
    void everySpecEdgeIsLegal(Edge e) {
        assertTrue(Transitions.legal(e.side(), e.from(), e.to()));
        assertTrue(Transitions.targets(e.side(), e.from()).contains(e.to()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illegalEdges")
    void everyOtherEdgeIsIllegal(Edge e) {
        assertFalse(Transitions.legal(e.side(), e.from(), e.to()));
        assertFalse(Transitions.targets(e.side(), e.from()).contains(e.to()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legalEdges")
    void cellTakesEverySpecEdgeAndReportsItOnce(Edge e) {
        Recorder rec = new Recorder();
        EventHub hub = new EventHub(() -> true, InstantSource.fixed(T0));
        hub.addStatusListener(rec);
        hub.addEventListener(rec);
        StatusCell cell = SpecTables.cellAt(e.side(), e.from(), hub);
        rec.clear();

        assertTrue(cell.compareAndSet(e.from(), e.to()));

        assertEquals(e.to(), cell.get());
        assertEquals(List.of(new Recorder.Report(e.side(), e.from(), e.to())), rec.reports());
        assertEquals(List.of(new MigrationStatusEvent(T0, e.to())), rec.events());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illegalEdgesFromReachableStates")
    void cellRefusesEveryOtherEdge(Edge e) {
        Recorder rec = new Recorder();
        EventHub hub = new EventHub(() -> true, InstantSource.fixed(T0));
        hub.addStatusListener(rec);
        hub.addEventListener(rec);
        StatusCell cell = SpecTables.cellAt(e.side(), e.from(), hub);
        rec.clear();

        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> cell.compareAndSet(e.from(), e.to()));

        assertEquals("illegal " + e.side() + " migration status transition " + e.from() + " -> " + e.to(), ex.getMessage());
        assertEquals(e.from(), cell.get());
        assertEquals(List.of(), rec.reports());
        assertEquals(List.of(), rec.events());
    }

    @Test
    void illegalEdgeIsRefusedEvenWhenTheCasWouldFail() {
        StatusCell cell = new StatusCell(Side.SOURCE, new EventHub(() -> false, InstantSource.fixed(T0)));
        // none is not active, so the CAS would fail; the edge is still a programming error.
        assertThrows(IllegalArgumentException.class, () -> cell.compareAndSet(MigrationStatus.ACTIVE, MigrationStatus.SETUP));
        assertThrows(IllegalArgumentException.class, () -> cell.compareAndSet(MigrationStatus.COLO, MigrationStatus.CANCELLING));
        assertEquals(MigrationStatus.NONE, cell.get());
    }

    @Test
    void destinationNeverEntersSourceOnlyStates() {
        for (MigrationStatus s : EnumSet.of(MigrationStatus.SETUP, MigrationStatus.CANCELLING, MigrationStatus.CANCELLED,
                MigrationStatus.PRE_SWITCHOVER, MigrationStatus.DEVICE, MigrationStatus.WAIT_UNPLUG)) {
            assertNull(SpecTables.pathTo(Side.DESTINATION, s), s.qapiName());
            for (MigrationStatus from : MigrationStatus.values()) {
                assertFalse(Transitions.legal(Side.DESTINATION, from, s), from + " -> " + s);
            }
        }
    }

    @Test
    void everySourceStateIsReachable() {
        for (MigrationStatus s : MigrationStatus.values()) {
            assertNotNull(SpecTables.pathTo(Side.SOURCE, s), s.qapiName());
        }
    }

    @Test
    void runningToCancellingCoversExactlyTheRunningStates() {
        Set<MigrationStatus> cancellable = EnumSet.noneOf(MigrationStatus.class);
        for (MigrationStatus s : MigrationStatus.values()) {
            if (Transitions.legal(Side.SOURCE, s, MigrationStatus.CANCELLING)) {
                cancellable.add(s);
            }
        }
        assertEquals(StatusPredicates.runningStates(), cancellable);
    }

    @Test
    void targetsAreUnmodifiableAndEmptyForDeadEnds() {
        assertThrows(UnsupportedOperationException.class,
                () -> Transitions.targets(Side.SOURCE, MigrationStatus.ACTIVE).add(MigrationStatus.NONE));
        assertEquals(Set.of(), Transitions.targets(Side.DESTINATION, MigrationStatus.COMPLETED));
        assertEquals(Set.of(MigrationStatus.SETUP), Transitions.targets(Side.SOURCE, MigrationStatus.COMPLETED));
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> Transitions.legal(null, MigrationStatus.NONE, MigrationStatus.SETUP));
        assertThrows(NullPointerException.class, () -> Transitions.legal(Side.SOURCE, null, MigrationStatus.SETUP));
        assertThrows(NullPointerException.class, () -> Transitions.legal(Side.SOURCE, MigrationStatus.NONE, null));
    }
}
