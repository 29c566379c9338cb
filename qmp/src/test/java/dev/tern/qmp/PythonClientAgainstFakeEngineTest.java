package dev.tern.qmp;

import dev.tern.api.CapabilityException;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.api.ParameterException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client over the real socket server, with a stand-in engine that holds capabilities
 * and parameters and enforces the two rules the script checks (with the engine's texts from the
 * spec). {@link QmpEndToEndTest} runs the same script against the real engine.
 */
@Timeout(120)
class PythonClientAgainstFakeEngineTest {
    @TempDir
    Path dir;

    /** Keeps capabilities and a few parameters; rejects multifd+compress and compress-level above 9. */
    static final class StatefulControl extends RecordingControl {
        private final Map<MigrationCapability, Boolean> caps = new EnumMap<>(MigrationCapability.class);
        private MigrationParameters params = MigrationParameters.builder().compressLevel(1).downtimeLimit(300)
                .maxBandwidth(134217728).multifdChannels(2).build();

        @Override
        public synchronized void setCapabilities(List<MigrationCapabilityStatus> changes) {
            Map<MigrationCapability, Boolean> next = new EnumMap<>(caps);
            changes.forEach(c -> next.put(c.capability(), c.state()));
            if (next.getOrDefault(MigrationCapability.MULTIFD, false)
                    && next.getOrDefault(MigrationCapability.COMPRESS, false)) {
                throw new CapabilityException("Multifd is not compatible with compress");
            }
            caps.clear();
            caps.putAll(next);
        }

        @Override
        public synchronized List<MigrationCapabilityStatus> queryCapabilities() {
            List<MigrationCapabilityStatus> all = new ArrayList<>();
            for (MigrationCapability c : MigrationCapability.values()) {
                all.add(new MigrationCapabilityStatus(c, caps.getOrDefault(c, false)));
            }
            return all;
        }

        @Override
        public synchronized void setParameters(MigrateSetParameters p) {
            if (p.compressLevel().isPresent() && p.compressLevel().getAsInt() > 9) {
                throw new ParameterException("Parameter 'compress_level' expects a value between 0 and 9");
            }
            MigrationParameters.Builder b = params.toBuilder();
            p.compressLevel().ifPresent(b::compressLevel);
            p.downtimeLimit().ifPresent(b::downtimeLimit);
            p.maxBandwidth().ifPresent(b::maxBandwidth);
            p.multifdChannels().ifPresent(b::multifdChannels);
            params = b.build();
        }

        @Override
        public synchronized MigrationParameters queryParameters() {
            return params;
        }
    }

    @Test
    void scriptPassesAgainstTheServer() throws Exception {
        PythonClient.assumePython();
        Path socket = dir.resolve("qmp.sock");
        try (QmpServer server = QmpServer.start(socket, new QmpDispatcher(new StatefulControl()))) {
            PythonClient.runAgainst(server.socketPath());
        }
    }
}
