package dev.tern.core.precopy;

import static dev.tern.core.precopy.Migrations.assertSameRam;
import static dev.tern.core.precopy.Migrations.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.Workload;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A running guest migrated between two VMs in this JVM: RAM byte for byte, device state, statistics. */
@Timeout(180)
class PrecopyEndToEndTest {
    private static final long RAM = 64L << 20;

    @TempDir
    Path dir;

    private static ReferenceGuest sweepGuest() {
        return ReferenceGuest.builder().ramBlock("pc.ram", RAM).vcpus(1)
                .workload(Workload.sequentialSweep(1 << 20, 60 << 20)).build();
    }

    @Test
    void sweepingGuestMigratesOverUnixSocket() throws Exception {
        try (ReferenceGuest src = sweepGuest(); ReferenceGuest dst = sweepGuest();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            src.start();
            destination.stop(); // autostart off: the destination stays paused so RAM can be compared
            String uri = "unix:" + dir.resolve("mig.sock");
            destination.migrateIncoming(uri);
            source.setParameters(Migrations.converge());
            source.migrate(uri);
            MigrationInfo done = awaitStatus(source, MigrationStatus.COMPLETED);
            Migrations.await("destination completed", destination,
                    () -> destination.queryMigrate().status().orElse(null) == MigrationStatus.COMPLETED);

            assertEquals(RunState.POSTMIGRATE, source.runState());
            assertEquals(RunState.PAUSED, destination.runState());
            assertSameRam(src.ramBlocks(), dst.ramBlocks());
            assertEquals(src.progress(), dst.progress(), "device state (workload position) restored");
            assertTrue(ReferenceGuest.checkSweep(dst.ramBlocks().getFirst().memory(), 1 << 20, 60 << 20).consistent());

            MigrationStats ram = done.ram().orElseThrow();
            assertEquals(RAM, ram.total());
            assertEquals(0, ram.remaining());
            assertTrue(ram.dirtySyncCount() >= 2, "setup sync and final sync: " + ram);
            assertTrue(ram.normal() + ram.duplicate() >= RAM / 4096, "every page went at least once: " + ram);
            assertEquals(ram.normal() * 4096, ram.normalBytes());
            assertTrue(ram.transferred() >= ram.normalBytes(), ram.toString());
            assertTrue(done.downtime().isPresent() && done.totalTime().isPresent() && done.setupTime().isPresent());
        }
    }

    @Test
    void destinationGuestRunsOnAfterTheMigration() throws Exception {
        try (ReferenceGuest src = sweepGuest(); ReferenceGuest dst = sweepGuest();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            src.start();
            destination.migrateIncoming("tcp:127.0.0.1:0");
            var address = (dev.tern.api.info.SocketAddress.Inet) destination.queryMigrate().socketAddress()
                    .orElseThrow().getFirst();
            source.setParameters(Migrations.converge());
            source.migrate("tcp:127.0.0.1:" + address.port());
            awaitStatus(source, MigrationStatus.COMPLETED);
            Migrations.await("destination running", destination, () -> destination.runState() == RunState.RUNNING);
            long passes = dst.passes();
            Migrations.await("destination guest making passes", destination, () -> dst.passes() > passes + 2);
        }
    }
}
