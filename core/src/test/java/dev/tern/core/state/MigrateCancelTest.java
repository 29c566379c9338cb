package dev.tern.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import dev.tern.core.state.Recorder.Report;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spec §14.12, every source state. */
class MigrateCancelTest {
    private Recorder rec;
    private EventHub hub;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        hub = new EventHub(() -> true, InstantSource.fixed(Instant.EPOCH));
        hub.addStatusListener(rec);
    }

    // status, cancels?, releases the pause?
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "none,             false, false",
        "completed,        false, false",
        "failed,           false, false",
        "cancelled,        false, false",
        "colo,             false, false",
        "setup,            true,  false",
        "wait-unplug,      true,  false",
        "active,           true,  false",
        "device,           true,  false",
        "postcopy-active,  true,  false",
        "postcopy-paused,  true,  false",
        "postcopy-recover, true,  false",
        "cancelling,       true,  false",
        "pre-switchover,   true,  true",
    })
    void cancelPerState(String name, boolean cancels, boolean releases) {
        MigrationStatus at = MigrationStatus.fromQapi(name);
        StatusCell cell = SpecTables.cellAt(Side.SOURCE, at, hub);
        SwitchoverPause pause = new SwitchoverPause(cell);
        rec.clear();

        Optional<MigrationStatus> from = MigrateCancel.moveToCancelling(cell, pause);

        if (cancels) {
            assertEquals(Optional.of(at), from);
            assertEquals(MigrationStatus.CANCELLING, cell.get());
            assertEquals(List.of(new Report(Side.SOURCE, at, MigrationStatus.CANCELLING)), rec.reports());
        } else {
            assertEquals(Optional.empty(), from);
            assertEquals(at, cell.get());
            assertEquals(List.of(), rec.reports());
        }
        assertEquals(releases ? 1 : 0, pause.pendingReleases());
    }

    @Test
    void theTableAboveCoversEveryStatus() {
        assertEquals(14, MigrationStatus.values().length);
    }

    @Test
    void refusesAPauseOfAnotherCell() {
        StatusCell a = new StatusCell(Side.SOURCE, hub);
        SwitchoverPause other = new SwitchoverPause(new StatusCell(Side.SOURCE, hub));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MigrateCancel.moveToCancelling(a, other));
        assertEquals("the pause-before-switchover handshake belongs to another status cell", e.getMessage());
        assertThrows(NullPointerException.class, () -> MigrateCancel.moveToCancelling(a, null));
        assertThrows(NullPointerException.class, () -> MigrateCancel.moveToCancelling(null, other));
    }
}
