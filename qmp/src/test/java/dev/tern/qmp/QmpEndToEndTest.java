package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.spi.MigrationEngineProvider;
import dev.tern.core.guest.ReferenceGuest;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QMP server in front of the real engine ({@code MigrationControl.create}), driven by the
 * plain Python client. Skipped until an engine is on the class path.
 */
@Timeout(120)
class QmpEndToEndTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsEngine() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ServiceLoader.load(MigrationEngineProvider.class).findFirst().isPresent(), "no engine on the class path");
    }

    @Test
    void pythonClientDrivesTheRealEngine() throws Exception {
        PythonClient.assumePython();
        try (ReferenceGuest guest = ReferenceGuest.builder().ramBlock("pc.ram", 16 << 20).build();
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING);
                QmpServer server = QmpServer.start(dir.resolve("qmp.sock"), new QmpDispatcher(vm))) {
            PythonClient.runAgainst(server.socketPath());
        }
    }

    @Test
    void queryStatusOfARunningVm() throws Exception {
        try (ReferenceGuest guest = ReferenceGuest.builder().ramBlock("pc.ram", 16 << 20).build();
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING);
                QmpServer server = QmpServer.start(dir.resolve("qmp.sock"), new QmpDispatcher(vm));
                QmpTestClient client = new QmpTestClient(server.socketPath())) {
            client.negotiated();
            client.send("{\"execute\": \"query-status\"}\n");
            assertEquals("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}", client.line());
            client.send("{\"execute\": \"query-migrate\"}\n");
            assertTrue(client.json().has("return"));
        }
    }
}
