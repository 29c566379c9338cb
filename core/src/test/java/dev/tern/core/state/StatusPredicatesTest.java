package dev.tern.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.MigrationStatus;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusPredicatesTest {

    // Spec §1.3, one row per status: setup-or-active, running, idle, active, in-postcopy.
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "none,             false, false, true,  false, false",
        "setup,            true,  true,  false, false, false",
        "cancelling,       false, true,  false, false, false",
        "cancelled,        false, false, true,  false, false",
        "active,           true,  true,  false, true,  false",
        "postcopy-active,  true,  true,  false, true,  true",
        "postcopy-paused,  true,  true,  false, false, true",
        "postcopy-recover, true,  true,  false, false, true",
        "completed,        false, false, true,  false, false",
        "failed,           false, false, true,  false, false",
        "colo,             true,  false, false, false, false",
        "pre-switchover,   true,  true,  false, false, false",
        "device,           true,  true,  false, false, false",
        "wait-unplug,      true,  true,  false, false, false",
    })
    void predicatesFollowTheSpecTable(String name, boolean setupOrActive, boolean running, boolean idle,
            boolean active, boolean inPostcopy) {
        MigrationStatus s = MigrationStatus.fromQapi(name);
        assertEquals(setupOrActive, StatusPredicates.isSetupOrActive(s), "setup-or-active");
        assertEquals(running, StatusPredicates.isRunning(s), "running");
        assertEquals(idle, StatusPredicates.isIdle(s), "idle");
        assertEquals(active, StatusPredicates.isActive(s), "active");
        assertEquals(inPostcopy, StatusPredicates.inPostcopy(s), "in-postcopy");
    }

    @Test
    void theTableAboveCoversEveryStatus() {
        assertEquals(14, MigrationStatus.values().length, "a status was added: extend the table");
    }

    @Test
    void setsAgreeWithPredicates() {
        assertSetMatches(StatusPredicates.setupOrActiveStates(), StatusPredicates::isSetupOrActive);
        assertSetMatches(StatusPredicates.runningStates(), StatusPredicates::isRunning);
        assertSetMatches(StatusPredicates.idleStates(), StatusPredicates::isIdle);
        assertSetMatches(StatusPredicates.activeStates(), StatusPredicates::isActive);
        assertSetMatches(StatusPredicates.postcopyStates(), StatusPredicates::inPostcopy);
    }

    @Test
    void setsAreUnmodifiable() {
        assertThrows(UnsupportedOperationException.class,
                () -> StatusPredicates.runningStates().add(MigrationStatus.COLO));
        assertThrows(UnsupportedOperationException.class,
                () -> StatusPredicates.idleStates().remove(MigrationStatus.NONE));
    }

    @Test
    void coloIsNeitherRunningNorIdleAndCancellingIsRunningOnly() {
        // The two asymmetries command gating depends on: cancel is a no-op in colo, and a
        // second migrate during cancelling is refused.
        assertEquals(false, StatusPredicates.isRunning(MigrationStatus.COLO));
        assertEquals(false, StatusPredicates.isIdle(MigrationStatus.COLO));
        assertEquals(true, StatusPredicates.isRunning(MigrationStatus.CANCELLING));
        assertEquals(false, StatusPredicates.isSetupOrActive(MigrationStatus.CANCELLING));
    }

    @Test
    void nullIsRejected() {
        assertThrows(NullPointerException.class, () -> StatusPredicates.isRunning(null));
        assertThrows(NullPointerException.class, () -> StatusPredicates.isIdle(null));
    }

    private static void assertSetMatches(Set<MigrationStatus> set, Predicate<MigrationStatus> p) {
        EnumSet<MigrationStatus> expected = EnumSet.noneOf(MigrationStatus.class);
        for (MigrationStatus s : MigrationStatus.values()) {
            if (p.test(s)) {
                expected.add(s);
            }
        }
        assertEquals(expected, set);
    }
}
