package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.SweepCheck;
import dev.tern.core.guest.Workload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Tern guest migrates into a QEMU 7.2 {@code -M none} destination (spec appendix C):
 * QEMU must accept Tern's stream — header, configuration, RAM sections, globalstate, EOF,
 * vmdesc — and hold exactly the source's RAM at the stop point.
 */
@Tag("qemu")
@Timeout(60)
class TernToQemuTest {
    private static final long RAM = 64L << 20;
    private static final long SWEEP_FROM = 1L << 20;
    private static final long SWEEP_TO = 60L << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    /** Like QEMU's {@code -M none}: block "mem", no Tern device section; a vCPU sweeping [1 MiB, 60 MiB). */
    private static ReferenceGuest sweepingGuest() {
        return ReferenceGuest.builder().machineType("none").ramBlock(QemuPeer.RAM_BLOCK, RAM).vcpus(1)
                .workload(Workload.sequentialSweep(SWEEP_FROM, SWEEP_TO)).deviceSection(false).build();
    }

    @Test
    void runningGuestMigratesIntoQemuOverUnixSocket() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start()) {
            String uri = "unix:" + dir.resolve("mig.sock");
            qemu.migrateIncoming(uri);
            migrateAndCompare(qemu, uri, false);
        }
    }

    @Test
    void runningGuestMigratesIntoQemuOverTcp() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start()) {
            qemu.migrateIncoming("tcp:127.0.0.1:0");
            migrateAndCompare(qemu, "tcp:127.0.0.1:" + qemu.incomingPort(), false);
        }
    }

    @Test
    void runningGuestMigratesIntoQemuWithReturnPath() throws Exception {
        // QEMU answers Tern's PING with PONG and ends with SHUT(0), which Tern waits for before completing.
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start()) {
            qemu.setCapability("return-path", true);
            String uri = "unix:" + dir.resolve("mig.sock");
            qemu.migrateIncoming(uri);
            migrateAndCompare(qemu, uri, true);
        }
    }

    /**
     * Migrates slowly until the guest has dirtied pages the first pass already sent (at least
     * two more dirty syncs), then lets it converge; compares QEMU's RAM file with the stopped
     * source. With {@code returnPath} the Tern source has the capability too (QEMU's is set by
     * the caller).
     */
    private static void migrateAndCompare(QemuPeer qemu, String uri, boolean returnPath) throws Exception {
        try (ReferenceGuest src = sweepingGuest();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            if (returnPath) {
                source.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.RETURN_PATH, true)));
            }
            src.start();
            source.setParameters(Interop.nonConverge());
            source.migrate(uri);
            Interop.await("two dirty syncs after setup", source, qemu, () -> {
                if (Interop.status(source) == MigrationStatus.FAILED) {
                    throw new AssertionError("Tern's migration failed: " + source.queryMigrate()
                            + qemu.stderrSuffix());
                }
                return source.queryMigrate().ram().map(r -> r.dirtySyncCount() >= 3).orElse(false);
            });
            long passesDuringMigration = src.passes();
            source.setParameters(Interop.converge());
            Interop.awaitStatus(source, MigrationStatus.COMPLETED, qemu);
            Map<String, Object> done = qemu.awaitStatus("completed", Interop.TIMEOUT);

            assertTrue(passesDuringMigration > 0, "the guest wrote while it migrated");
            Interop.awaitRunState(source, RunState.POSTMIGRATE, qemu);
            // Tern's globalstate said "running" and QEMU's -incoming autostarts: QEMU's machine runs.
            assertEquals("running", qemu.runState(), "QEMU destination run state; query-migrate: " + done
                    + qemu.stderrSuffix());
            // QEMU logs what it dislikes but tolerates (a missing vmdesc, say) on stderr: there must be none.
            assertEquals("", qemu.stderr().strip(), "QEMU destination's stderr after loading Tern's stream");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment received = qemu.mapRam(arena);
                Interop.assertSameRam("QEMU destination vs stopped Tern source", src.ramBlocks().getFirst().memory(),
                        received);
                SweepCheck sweep = ReferenceGuest.checkSweep(received, SWEEP_FROM, SWEEP_TO);
                assertTrue(sweep.consistent(), sweep.message());
            }
        }
    }
}
