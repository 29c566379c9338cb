package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.info.CompressionStats;
import dev.tern.api.info.MigrationInfo;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Legacy {@code compress} between Tern and QEMU 7.2 (spec 9.1, 8.3), the capability on at both
 * ends: QEMU's decompression threads load Tern's zlib pages and ZERO records from compression
 * threads, and Tern's decompression threads load QEMU's compressed first pass; RAM compared byte
 * for byte.
 */
@Tag("qemu")
@Timeout(120)
class CompressInteropTest {
    private static final long RAM = 64L << 20;
    private static final long SWEEP_FROM = 1L << 20;
    private static final long SWEEP_TO = 60L << 20;
    private static final long SEED = 0xC0DE_2023L;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    private static List<MigrationCapabilityStatus> compress() {
        return List.of(new MigrationCapabilityStatus(MigrationCapability.COMPRESS, true));
    }

    @ParameterizedTest(name = "{0} compression threads")
    @ValueSource(ints = {1, 4})
    void ternCompressesIntoQemu(int threads) throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start();
                ReferenceGuest src = ReferenceGuest.builder().machineType("none").ramBlock(QemuPeer.RAM_BLOCK, RAM)
                        .vcpus(1).workload(Workload.sequentialSweep(SWEEP_FROM, SWEEP_TO)).deviceSection(false)
                        .build();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            qemu.setCapability("compress", true);
            String uri = "unix:" + dir.resolve("mig.sock");
            qemu.migrateIncoming(uri);
            src.start();
            source.setCapabilities(compress());
            source.setParameters(MigrateSetParameters.builder().compressThreads(threads).build());
            source.setParameters(Interop.nonConverge());
            source.migrate(uri);
            Interop.await("compressed pages over three dirty syncs", source, qemu, () -> {
                MigrationStatus s = Interop.status(source);
                if (s == MigrationStatus.FAILED || s == MigrationStatus.COMPLETED) {
                    throw new AssertionError("Tern's migration ended early: " + source.queryMigrate()
                            + qemu.stderrSuffix());
                }
                MigrationInfo info = source.queryMigrate();
                return info.compression().map(c -> c.pages() > 0).orElse(false)
                        && info.ram().map(r -> r.dirtySyncCount() >= 3).orElse(false);
            });
            source.setParameters(Interop.converge());
            MigrationInfo done = Interop.awaitStatus(source, MigrationStatus.COMPLETED, qemu);
            Map<String, Object> qemuDone = qemu.awaitStatus("completed", Interop.TIMEOUT);

            Interop.awaitRunState(source, RunState.POSTMIGRATE, qemu);
            assertEquals("running", qemu.runState(), "QEMU destination: " + qemuDone + qemu.stderrSuffix());
            assertEquals("", qemu.stderr().strip(), "QEMU destination's stderr after loading Tern's compressed pages");
            CompressionStats c = done.compression().orElseThrow();
            assertTrue(c.pages() > 0 && c.compressedSize() < c.pages() * Interop.PAGE, c.toString());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment received = qemu.mapRam(arena);
                Interop.assertSameRam("QEMU destination vs stopped Tern source", src.ramBlocks().getFirst().memory(),
                        received);
                SweepCheck sweep = ReferenceGuest.checkSweep(received, SWEEP_FROM, SWEEP_TO);
                assertTrue(sweep.consistent(), sweep.message());
            }
        }
    }

    @ParameterizedTest(name = "{0} decompression threads")
    @ValueSource(ints = {1, 4})
    @SuppressWarnings("unchecked")
    void qemuCompressesIntoTern(int threads) throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED + threads))
                .start();
                ReferenceGuest dst = QemuToTernTest.destinationGuest(RAM);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            qemu.setCapability("compress", true);
            destination.setCapabilities(compress());
            destination.setParameters(MigrateSetParameters.builder().decompressThreads(threads).build());
            String uri = "unix:" + dir.resolve("mig.sock");
            destination.migrateIncoming(uri);
            qemu.migrate(uri);
            Map<String, Object> qemuDone = qemu.awaitStatus("completed", Interop.TIMEOUT);
            Interop.awaitStatus(destination, MigrationStatus.COMPLETED, qemu);

            Map<String, Object> compression = (Map<String, Object>) qemuDone.get("compression");
            assertTrue(compression != null && ((Number) compression.get("pages")).longValue() > 0,
                    "QEMU compressed pages: " + qemuDone);
            assertEquals(RunState.RUNNING, destination.runState());
            qemu.awaitRunState("postmigrate", Interop.TIMEOUT);
            try (Arena arena = Arena.ofConfined()) {
                Interop.assertSameRam("Tern destination vs QEMU source", qemu.mapRam(arena),
                        dst.ramBlocks().getFirst().memory());
            }
        }
    }
}
