package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStatus;
import dev.tern.api.info.MigrationInfo;
import dev.tern.core.precopy.ExtendedGuest.CounterDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3 section 5: the return-path capability on a precopy migration (spec 14.7). */
@Timeout(120)
class ReturnPathTest {

    @Test
    void completesWithReturnPathOnBothEnds() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            pair.destination().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void completesWithReturnPathOnTheSourceOnly() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            // The destination opens its return path because the stream asks for it.
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void deviceThatFailsToLoadFailsTheSourceWhichRunsOn() throws Exception {
        CounterDevice saved = new CounterDevice(42, false);
        CounterDevice refusing = new CounterDevice(0, true);
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, saved),
                GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, refusing))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            Leaks before = Leaks.snapshot();
            pair.source().migrate(pair.listenTcp());
            MigrationInfo end = GuestPair.awaitFinal(pair.source());

            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), "SHUT reported the load error: " + end);
            assertTrue(end.errorDesc().orElseThrow().contains("SHUT"), end.toString());
            pair.assertDestinationNotStarted();
            assertEquals("error while loading state for instance 0x0 of device 'test-counter'",
                    GuestPair.errorOf(pair.destination()).lines().findFirst().orElseThrow());
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
        }
    }

    @Test
    void deviceThatFailsToLoadAfterMigrateContinueFailsTheSourceFromDevice() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> ExtendedGuest.withDevice(g, new CounterDevice(42, false)),
                GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, new CounterDevice(0, true)))) {
            EventLog events = new EventLog();
            pair.source().addEventListener(events);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH,
                    MigrationCapability.PAUSE_BEFORE_SWITCHOVER, MigrationCapability.EVENTS));
            pair.source().migrate(pair.listenTcp());
            Migrations.awaitStatus(pair.source(), MigrationStatus.PRE_SWITCHOVER);
            pair.source().continueMigration(MigrationStatus.PRE_SWITCHOVER);
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            assertEquals(java.util.List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE,
                    MigrationStatus.PRE_SWITCHOVER, MigrationStatus.DEVICE, MigrationStatus.FAILED),
                    events.statusesUntil(MigrationStatus.FAILED));
            pair.assertDestinationNotStarted();
            pair.assertSourceSurvived();
        }
    }

    @Test
    void withoutReturnPathTheSourceCannotTellAndCompletes() throws Exception {
        CounterDevice saved = new CounterDevice(42, false);
        CounterDevice refusing = new CounterDevice(0, true);
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, saved),
                GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, refusing))) {
            pair.source().migrate(pair.listenTcp());
            // QEMU's behaviour: the source completes, only the destination knows it failed.
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            pair.assertDestinationNotStarted();
        }
    }
}
