package dev.tern.core.precopy;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.CANCELLED;
import static dev.tern.api.MigrationStatus.CANCELLING;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.DEVICE;
import static dev.tern.api.MigrationStatus.PRE_SWITCHOVER;
import static dev.tern.api.MigrationStatus.SETUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStateException;
import dev.tern.api.RunState;
import dev.tern.api.info.MigrationInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3 section 5: pause-before-switchover and migrate-continue, end to end. */
@Timeout(120)
class PauseBeforeSwitchoverTest {

    @Test
    void sourceWaitsInPreSwitchoverWithTheGuestStoppedUntilMigrateContinue() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            EventLog events = new EventLog();
            pair.source().addEventListener(events);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.PAUSE_BEFORE_SWITCHOVER,
                    MigrationCapability.EVENTS));
            pair.source().migrate(pair.listenTcp());
            MigrationInfo paused = Migrations.awaitStatus(pair.source(), PRE_SWITCHOVER);

            assertEquals(RunState.FINISH_MIGRATE, pair.source().runState());
            assertFalse(pair.srcGuest().referenceVcpus().running(), "vCPUs paused in pre-switchover");
            assertTrue(paused.ram().isPresent() && paused.expectedDowntime().isPresent(), paused.toString());
            long passes = pair.srcGuest().passes();
            assertEquals(ACTIVE, GuestPair.status(pair.destination()), "the destination is still loading");

            MigrationStateException wrong = assertThrows(MigrationStateException.class,
                    () -> pair.source().continueMigration(ACTIVE));
            assertEquals("Migration not in expected state: pre-switchover", wrong.getMessage());
            assertEquals(PRE_SWITCHOVER, GuestPair.status(pair.source()), "a refused continue changes nothing");
            assertEquals(passes, pair.srcGuest().passes(), "the guest stays stopped");

            pair.source().continueMigration(PRE_SWITCHOVER);
            pair.assertCompleted();
            assertEquals(List.of(SETUP, ACTIVE, PRE_SWITCHOVER, DEVICE, COMPLETED),
                    events.statusesUntil(COMPLETED));
        }
    }

    @Test
    void continueBeforeThePauseIsRefusedWithTheCurrentState() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.PAUSE_BEFORE_SWITCHOVER));
            MigrationStateException none = assertThrows(MigrationStateException.class,
                    () -> pair.source().continueMigration(PRE_SWITCHOVER));
            assertEquals("Migration not in expected state: none", none.getMessage());
            pair.source().setParameters(Migrations.nonConverge());
            pair.source().migrate(pair.listenTcp());
            Migrations.awaitStatus(pair.source(), ACTIVE);
            MigrationStateException active = assertThrows(MigrationStateException.class,
                    () -> pair.source().continueMigration(PRE_SWITCHOVER));
            assertEquals("Migration not in expected state: active", active.getMessage());
            pair.source().setParameters(Migrations.converge());
            Migrations.awaitStatus(pair.source(), PRE_SWITCHOVER);
            pair.source().continueMigration(PRE_SWITCHOVER);
            pair.assertCompleted();
        }
    }

    @Test
    void cancelInPreSwitchoverResumesTheGuestAndARetryCompletes() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            EventLog events = new EventLog();
            pair.source().addEventListener(events);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.PAUSE_BEFORE_SWITCHOVER,
                    MigrationCapability.EVENTS));
            Leaks before = Leaks.snapshot();
            pair.source().migrate(pair.listenTcp());
            Migrations.awaitStatus(pair.source(), PRE_SWITCHOVER);
            pair.source().cancel();
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(CANCELLED, end.status().orElseThrow(), end.toString());
            assertEquals(List.of(SETUP, ACTIVE, PRE_SWITCHOVER, CANCELLING, CANCELLED),
                    events.statusesUntil(CANCELLED));
            pair.assertSourceSurvived();
            pair.assertDestinationNotStarted();
            Leaks.assertNoneSince(before);

            // The capability is still on: the retry pauses again and continues.
            pair.newDestination();
            pair.source().migrate(pair.listenTcp());
            Migrations.awaitStatus(pair.source(), PRE_SWITCHOVER);
            pair.source().continueMigration(PRE_SWITCHOVER);
            pair.assertCompleted();
        }
    }
}
