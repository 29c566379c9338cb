package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.info.MigrationInfo;
import dev.tern.core.precopy.ExtendedGuest.CounterDevice;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client finds when it reacts to a migration's final status at once (from the event, on
 * the migration thread): the guest handed back, nothing of the old migration still acting on it.
 */
@Timeout(120)
class SourceHandBackTest {
    @TempDir
    Path dir;

    @Test
    void failedIsVisibleOnlyOnceTheGuestRunsAgain() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> ExtendedGuest.withDevice(g, new CounterDevice(1, false)),
                GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, new CounterDevice(0, true)))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            Map<String, Object> atFailed = new ConcurrentHashMap<>();
            pair.source().addStatusListener((side, from, to) -> {
                if (to == MigrationStatus.FAILED) {
                    atFailed.put("run state", pair.source().runState());
                    atFailed.put("vcpus running", pair.srcGuest().referenceVcpus().running());
                    atFailed.put("dirty log on", pair.srcGuest().softwareDirtyLog().logging());
                }
            });
            pair.source().migrate(pair.listenTcp());
            assertEquals(MigrationStatus.FAILED, GuestPair.awaitFinal(pair.source()).status().orElseThrow());
            assertEquals(Map.of("run state", RunState.RUNNING, "vcpus running", true, "dirty log on", false),
                    atFailed);
        }
    }

    @Test
    void clientThatResumesAndMigratesAgainOnTheCompletedEventGetsACompleteCopy() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            MigrationControl first = pair.destination();
            MigrationControl second = pair.newDestination();
            String secondUri = "unix:" + dir.resolve("second.sock");
            second.migrateIncoming(secondUri);
            first.migrateIncoming("tcp:127.0.0.1:0");
            String firstUri = "tcp:127.0.0.1:" + GuestPair.port(first);

            AtomicReference<Throwable> reaction = new AtomicReference<>();
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.source().addEventListener(event -> {
                if (event instanceof MigrationStatusEvent s && s.status() == MigrationStatus.COMPLETED
                        && reaction.get() == null) {
                    try {
                        pair.source().cont();
                        pair.source().migrate(secondUri);
                        reaction.set(new Throwable("done"));
                    } catch (RuntimeException e) {
                        reaction.set(e);
                    }
                }
            });
            pair.source().migrate(firstUri);
            Migrations.await("the reaction to completed", pair.source(), () -> reaction.get() != null);
            assertEquals("done", reaction.get().getMessage(), () -> "cont and migrate refused: " + reaction.get());
            // The second migration (the one that matters now) must copy the guest exactly.
            pair.assertCompleted();
        }
    }

    @Test
    void failedMigrationOfAStoppedGuestLeavesItStoppedInPostmigrate() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> ExtendedGuest.withDevice(g, new CounterDevice(1, false)),
                GuestPair.sweeping(), g -> ExtendedGuest.withDevice(g, new CounterDevice(0, true)))) {
            pair.source().stop();
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            pair.source().migrate(pair.listenTcp());
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            assertEquals(RunState.POSTMIGRATE, pair.source().runState(), "QEMU turns finish-migrate into postmigrate");
            assertTrue(!pair.srcGuest().referenceVcpus().running(), "a guest the user stopped stays stopped");
            MigrationStateException again = assertThrows(MigrationStateException.class,
                    () -> pair.source().migrate("tcp:127.0.0.1:1"));
            assertEquals("Can't migrate the vm that was paused due to previous migration", again.getMessage());
            pair.source().cont();
            assertEquals(RunState.RUNNING, pair.source().runState());
        }
    }
}
