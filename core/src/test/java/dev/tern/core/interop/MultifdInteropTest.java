package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.SweepCheck;
import dev.tern.core.guest.Workload;
import dev.tern.core.multifd.codec.PacketCodecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Multifd between Tern and QEMU 7.2 in both directions (spec 8.4, 9.2, 9.3): the channels'
 * initial packets, packet headers, payloads and SYNC barrier must be exactly QEMU's, and the
 * receiving side must hold the sender's RAM byte for byte. Neither side has a UUID (both send
 * and expect the nil one); compression levels stay at their default 1 (7.2 ignores them in QMP).
 */
@Tag("qemu")
@Timeout(90)
class MultifdInteropTest {
    private static final long RAM = 64L << 20;
    private static final long SWEEP_FROM = 1L << 20;
    private static final long SWEEP_TO = 60L << 20;
    private static final long SEED = 0x3417_1FDL;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    private static void assumeCodec(MultiFdCompression method) {
        if (method == MultiFdCompression.NONE) {
            return;
        }
        boolean available;
        try {
            PacketCodecs.compressor(method, 1, Interop.PAGE, 0).close();
            available = true;
        } catch (IllegalArgumentException e) {
            available = false;
        }
        assumeTrue(available, "the multifd " + method.qapiName() + " codec is not in this build");
    }

    private static void qemuMultifd(QemuPeer qemu, int channels, MultiFdCompression method) {
        qemu.setCapability("multifd", true);
        qemu.ok("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"multifd-channels\": " + channels
                + ", \"multifd-compression\": \"" + method.qapiName() + "\"}}");
    }

    private static void ternMultifd(MigrationControl vm, int channels, MultiFdCompression method) {
        vm.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.MULTIFD, true)));
        vm.setParameters(MigrateSetParameters.builder().multifdChannels(channels).multifdCompression(method).build());
    }

    private String uri(String transport) {
        return transport.equals("unix") ? "unix:" + dir.resolve("mig.sock") : "tcp:127.0.0.1:0";
    }

    @ParameterizedTest(name = "{0} on {1} channels over {2}")
    @CsvSource({"NONE, 2, unix", "NONE, 4, tcp", "ZLIB, 2, tcp", "ZSTD, 3, unix"})
    void ternToQemu(MultiFdCompression method, int channels, String transport) throws Exception {
        assumeCodec(method);
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start();
                ReferenceGuest src = ReferenceGuest.builder().machineType("none").ramBlock(QemuPeer.RAM_BLOCK, RAM)
                        .vcpus(1).workload(Workload.sequentialSweep(SWEEP_FROM, SWEEP_TO)).deviceSection(false)
                        .build();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            qemuMultifd(qemu, channels, method);
            String uri = uri(transport);
            qemu.migrateIncoming(uri);
            String target = uri.equals("tcp:127.0.0.1:0") ? "tcp:127.0.0.1:" + qemu.incomingPort() : uri;
            ternMultifd(source, channels, method);
            src.start();
            source.setParameters(Interop.nonConverge());
            source.migrate(target);
            Interop.await("three dirty syncs", source, qemu, () -> {
                if (Interop.status(source) == MigrationStatus.FAILED) {
                    throw new AssertionError("Tern's migration failed: " + source.queryMigrate() + qemu.stderrSuffix());
                }
                return source.queryMigrate().ram().map(r -> r.dirtySyncCount() >= 3).orElse(false);
            });
            source.setParameters(Interop.converge());
            Interop.awaitStatus(source, MigrationStatus.COMPLETED, qemu);
            qemu.awaitStatus("completed", Interop.TIMEOUT);
            Interop.awaitRunState(source, RunState.POSTMIGRATE, qemu);
            assertTrue(source.queryMigrate().ram().orElseThrow().multifdBytes() > 0);
            assertEquals("", qemu.stderr().strip(), "QEMU destination's stderr after Tern's multifd stream");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment received = qemu.mapRam(arena);
                Interop.assertSameRam("QEMU destination vs stopped Tern source", src.ramBlocks().getFirst().memory(),
                        received);
                SweepCheck sweep = ReferenceGuest.checkSweep(received, SWEEP_FROM, SWEEP_TO);
                assertTrue(sweep.consistent(), sweep.message());
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1} channels over {2}")
    @CsvSource({"NONE, 2, tcp", "NONE, 4, unix", "ZLIB, 2, unix", "ZSTD, 3, tcp"})
    void qemuToTern(MultiFdCompression method, int channels, String transport) throws Exception {
        assumeCodec(method);
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED)).start();
                ReferenceGuest dst = QemuToTernTest.destinationGuest(RAM);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            ternMultifd(destination, channels, method);
            String uri = uri(transport);
            destination.migrateIncoming(uri);
            String target = uri.equals("tcp:127.0.0.1:0") ? "tcp:127.0.0.1:" + Interop.ternIncomingPort(destination)
                    : uri;
            qemuMultifd(qemu, channels, method);
            qemu.migrate(target);
            qemu.awaitStatus("completed", Interop.TIMEOUT);
            Interop.awaitStatus(destination, MigrationStatus.COMPLETED, qemu);
            assertEquals(RunState.RUNNING, destination.runState());
            qemu.awaitRunState("postmigrate", Interop.TIMEOUT);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sent = qemu.mapRam(arena);
                Interop.assertSameRam("Tern destination vs QEMU source", sent, dst.ramBlocks().getFirst().memory());
            }
        }
    }
}
