package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.core.guest.ReferenceGuest;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU 7.2 migrating into Tern with {@code xbzrle} on at both ends (spec 7.5): QEMU sets up its
 * cache and Tern loads the stream into identical RAM.
 *
 * <p>What this direction cannot show is a delta: QEMU encodes only pages dirtied again after its
 * bulk stage, and nothing writes a {@code -M none} machine's RAM while it migrates. Writes through
 * the backing file bypass QEMU's dirty tracking; {@code -qtest} writes crash QEMU 7.2 without a
 * CPU (it dereferences {@code first_cpu}), and an x86 CPU cannot be created on {@code -M none}
 * ("apic-id property was not initialized properly"). The decoder is covered instead by QEMU's
 * own vectors (spec 7.6) and round trips with an encoder whose output is byte-identical to
 * QEMU's, and the format by Tern-to-QEMU, where QEMU decodes Tern's deltas
 * ({@link XbzrleTernToQemuTest}).
 */
@Tag("qemu")
@Timeout(120)
class XbzrleQemuToTernTest {
    private static final long RAM = 64L << 20;
    private static final long SEED = 0x0B2_7E1EL;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        QemuPeer.assumeInstalled();
    }

    @Test
    @SuppressWarnings("unchecked")
    void qemuWithXbzrleLoadsIntoTern() throws Exception {
        try (QemuPeer qemu = QemuPeer.builder(dir).ram(RAM).ramContents(r -> Interop.pattern(r, SEED)).start();
                ReferenceGuest dst = QemuToTernTest.destinationGuest(RAM);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            qemu.setCapability("xbzrle", true);
            destination.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.XBZRLE, true)));
            String uri = "unix:" + dir.resolve("mig.sock");
            destination.migrateIncoming(uri);
            qemu.migrate(uri);
            Map<String, Object> done = qemu.awaitStatus("completed", Interop.TIMEOUT);
            Interop.awaitStatus(destination, MigrationStatus.COMPLETED, qemu);

            assertNotNull(done.get("xbzrle-cache"), "QEMU ran with its XBZRLE cache: " + done);
            assertEquals(RunState.RUNNING, destination.runState());
            try (Arena arena = Arena.ofConfined()) {
                Interop.assertSameRam("Tern destination vs QEMU source", qemu.mapRam(arena),
                        dst.ramBlocks().getFirst().memory());
            }
        }
    }
}
