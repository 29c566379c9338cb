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
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.XbzrleCacheStats;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.SweepCheck;
import dev.tern.core.guest.Workload;
import dev.tern.core.precopy.XbzrleGuest;
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
 * Tern's XBZRLE records into a QEMU 7.2 {@code -M none} destination (spec 7.3, 8.3): QEMU decodes
 * every delta (it needs no capability for that) and ends with exactly the source's RAM. (The other
 * direction has nothing to show: a {@code -M none} QEMU has no CPU, so after its first pass no page
 * changes and it sends no delta.)
 */
@Tag("qemu")
@Timeout(120)
class XbzrleTernToQemuTest {
    private static final long RAM = 64L << 20;
    private static final long SWEEP_FROM = 1L << 20;
    private static final long SWEEP_TO = 60L << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    @Test
    void deltasOverflowsAndCachedPagesLoadIntoQemu() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).incomingDefer().start();
                ReferenceGuest base = ReferenceGuest.builder().machineType("none").ramBlock(QemuPeer.RAM_BLOCK, RAM)
                        .vcpus(1).workload(Workload.sequentialSweep(SWEEP_FROM, SWEEP_TO)).deviceSection(false)
                        .build();
                XbzrleGuest src = new XbzrleGuest(base, SWEEP_TO, RAM);
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            String uri = "unix:" + dir.resolve("mig.sock");
            qemu.migrateIncoming(uri);
            base.start();
            src.scramble(source.vmmWrites(), 0, SWEEP_FROM);
            source.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.XBZRLE, true)));
            // A small cache: some pages miss and go from the cache copy, the rest go as deltas.
            source.setParameters(MigrateSetParameters.builder().xbzrleCacheSize(8L << 20).build());
            source.setParameters(Interop.nonConverge());
            source.migrate(uri);
            Interop.await("deltas, overflows and misses", source, qemu, () -> {
                MigrationStatus s = Interop.status(source);
                if (s == MigrationStatus.FAILED || s == MigrationStatus.COMPLETED) {
                    throw new AssertionError("Tern's migration ended early: " + source.queryMigrate()
                            + qemu.stderrSuffix());
                }
                XbzrleCacheStats x = source.queryMigrate().xbzrleCache().orElse(null);
                return x != null && x.overflow() > 0 && x.cacheMiss() > 0
                        && x.bytes() > x.overflow() * Interop.PAGE; // some real deltas too
            });
            source.setParameters(Interop.converge());
            MigrationInfo done = Interop.awaitStatus(source, MigrationStatus.COMPLETED, qemu);
            Map<String, Object> qemuDone = qemu.awaitStatus("completed", Interop.TIMEOUT);

            Interop.awaitRunState(source, RunState.POSTMIGRATE, qemu);
            assertEquals("running", qemu.runState(), "QEMU destination: " + qemuDone + qemu.stderrSuffix());
            assertEquals("", qemu.stderr().strip(), "QEMU destination's stderr after loading Tern's deltas");
            XbzrleCacheStats x = done.xbzrleCache().orElseThrow();
            assertTrue(x.pages() > x.overflow(), x.toString());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment received = qemu.mapRam(arena);
                Interop.assertSameRam("QEMU destination vs stopped Tern source", base.ramBlocks().getFirst().memory(),
                        received);
                SweepCheck sweep = ReferenceGuest.checkSweep(received, SWEEP_FROM, SWEEP_TO);
                assertTrue(sweep.consistent(), sweep.message());
            }
        }
    }
}
