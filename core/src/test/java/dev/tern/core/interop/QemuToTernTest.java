package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.incoming.IncomingMigration;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QEMU 7.2 {@code -M none} source migrates into a Tern destination (spec appendix C): Tern
 * must load QEMU's stream — its RAM sections, {@code timer} and {@code globalstate} — into guest
 * RAM byte for byte, and end in the run state QEMU's {@code globalstate} asks for
 * ({@code process_incoming_migration_bh}: {@code running} starts the guest when autostart is on,
 * any other state is taken over as is).
 */
@Tag("qemu")
@Timeout(60)
class QemuToTernTest {
    private static final long RAM = 64L << 20;
    private static final long SEED = 0x7E51_2023L;
    /** What the destination's RAM holds before the migration, so ZERO records must really clear pages. */
    private static final byte STALE = (byte) 0xCC;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    /** A destination matching QEMU's {@code -M none}: machine "none", block "mem", no device section. */
    static ReferenceGuest destinationGuest(long ram) {
        ReferenceGuest guest = ReferenceGuest.builder().machineType("none").ramBlock(QemuPeer.RAM_BLOCK, ram)
                .deviceSection(false).build();
        guest.ramBlocks().getFirst().memory().fill(STALE);
        return guest;
    }

    @Test
    void prelaunchSourceOverUnixSocketLeavesTernInPrelaunch() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).paused().ramContents(r -> Interop.pattern(r, SEED))
                .start()) {
            assertEquals("prelaunch", qemu.runState());
            migrate(qemu, "unix:" + dir.resolve("mig.sock"), RunState.PRELAUNCH, false);
        }
    }

    @Test
    void runningSourceOverTcpStartsTern() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED)).start()) {
            assertEquals("running", qemu.runState());
            migrate(qemu, "tcp:127.0.0.1:0", RunState.RUNNING, false);
        }
    }

    @Test
    void stoppedSourceOverTcpLeavesTernPaused() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED + 1)).start()) {
            qemu.ok("{\"execute\": \"stop\"}");
            assertEquals("paused", qemu.runState());
            migrate(qemu, "tcp:127.0.0.1:0", RunState.PAUSED, false);
        }
    }

    @Test
    void runningSourceOverUnixSocketWithReturnPathStartsTern() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED + 2)).start()) {
            migrate(qemu, "unix:" + dir.resolve("mig.sock"), RunState.RUNNING, true);
        }
    }

    /**
     * Tern listens on {@code uri} (a tcp port 0 is resolved through Tern's {@code socket-address}),
     * QEMU migrates, both complete; Tern's RAM equals QEMU's file and its run state is
     * {@code expected}. With {@code returnPath} both ends have the capability, so QEMU waits for
     * Tern's SHUT before it completes. QEMU's source ends in {@code postmigrate}.
     */
    private static void migrate(QemuPeer qemu, String uri, RunState expected, boolean returnPath)
            throws Exception {
        try (ReferenceGuest dst = destinationGuest(RAM);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING);
                LogCapture log = new LogCapture(IncomingMigration.class)) {
            if (returnPath) {
                qemu.setCapability("return-path", true);
                destination.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.RETURN_PATH,
                        true)));
            }
            destination.migrateIncoming(uri);
            String target = uri.equals("tcp:127.0.0.1:0") ? "tcp:127.0.0.1:" + Interop.ternIncomingPort(destination)
                    : uri;
            qemu.migrate(target);
            qemu.awaitStatus("completed", Interop.TIMEOUT);
            Interop.awaitStatus(destination, MigrationStatus.COMPLETED, qemu);

            assertEquals(expected, destination.runState(), "Tern's run state after QEMU's globalstate");
            // Nothing in QEMU's stream (configuration, timer, vmdesc) may surprise Tern.
            assertEquals(List.of(), log.warnings(), "Tern's warnings while loading QEMU's stream");
            qemu.awaitRunState("postmigrate", Interop.TIMEOUT);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sent = qemu.mapRam(arena);
                Interop.assertSameRam("Tern destination vs QEMU source", sent, dst.ramBlocks().getFirst().memory());
            }
        }
    }
}
