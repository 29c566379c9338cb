package dev.tern.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state-gated commands' texts, verbatim from QEMU 7.2. */
class MigrationStateExceptionTest {

    static Stream<Arguments> factories() {
        return Stream.of(
                texts(MigrationStateException::migrationInProgress, "There's a migration process in progress"),
                texts(MigrationStateException::waitingForIncomingMigration, "Guest is waiting for an incoming migration"),
                texts(MigrationStateException::pausedByPreviousMigration,
                        "Can't migrate the vm that was paused due to previous migration"),
                texts(MigrationStateException::postcopyNotEnabled,
                        "Enable postcopy with migrate_set_capability before the start of migration"),
                texts(MigrationStateException::postcopyBeforeMigration,
                        "Postcopy must be started after migration has been started"),
                texts(MigrationStateException::pauseOnlyInPostcopyActive,
                        "migrate-pause is currently only supported during postcopy-active state"),
                texts(MigrationStateException::recoverOnlyWhenPaused, "Migrate recover can only be run when postcopy is paused."),
                texts(MigrationStateException::noPausedMigration, "Cannot resume if there is no paused migration"),
                texts(MigrationStateException::recoveryWithReleaseRam,
                        "Postcopy recovery cannot work when release-ram capability is set"),
                texts(MigrationStateException::incomingAlreadyStarted, "The incoming migration has already been started"),
                texts(MigrationStateException::incomingNotSpecified, "'-incoming' was not specified on the command line"),
                texts(MigrationStateException::coloNotEnabled, "The feature 'colo' is not enabled"),
                texts(MigrationStateException::coloFailoverAlreadyActive, "COLO failover is already activated"));
    }

    private static Arguments texts(Supplier<MigrationStateException> factory, String text) {
        return Arguments.of(factory, text);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("factories")
    void factoryHoldsQemusExactText(Supplier<MigrationStateException> factory, String text) {
        MigrationStateException e = factory.get();
        assertEquals(text, e.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
    }

    @Test
    void notInExpectedStatePrintsTheQapiNameOfTheCurrentStatus() {
        assertEquals("Migration not in expected state: active",
                MigrationStateException.notInExpectedState(MigrationStatus.ACTIVE).getMessage());
        assertEquals("Migration not in expected state: pre-switchover",
                MigrationStateException.notInExpectedState(MigrationStatus.PRE_SWITCHOVER).getMessage());
        assertEquals("Migration not in expected state: postcopy-paused",
                MigrationStateException.notInExpectedState(MigrationStatus.POSTCOPY_PAUSED).getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, MigrationStateException.notInExpectedState(MigrationStatus.NONE).errorClass());
        assertThrows(NullPointerException.class, () -> MigrationStateException.notInExpectedState(null));
    }
}
