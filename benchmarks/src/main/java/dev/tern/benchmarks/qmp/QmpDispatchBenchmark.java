package dev.tern.benchmarks.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.util.List;
import dev.tern.qmp.QmpDispatcher;
import dev.tern.qmp.QmpSession;
import dev.tern.qmp.json.QmpJson;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The control plane's cost per QMP command, from parsed request to reply tree: what a
 * management tool polling {@code query-migrate} costs the VM it watches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class QmpDispatchBenchmark {
    private Arena arena;
    private MigrationControl vm;
    private QmpSession session;
    private JsonNode queryMigrate;
    private JsonNode setParameters;
    private JsonNode rejectedParameters;

    /** Creates the benchmark state (JMH instantiates it). */
    public QmpDispatchBenchmark() {
    }

    /**
     * Creates a VM and a negotiated QMP session.
     *
     * @throws java.io.IOException if a request does not parse
     */
    @Setup
    public void setUp() throws java.io.IOException {
        arena = Arena.ofShared();
        RamBlock ram = RamBlock.of("pc.ram", arena.allocate(16 << 20, 4096));
        Guest guest = new Guest() {
            @Override
            public String machineType() {
                return "none";
            }

            @Override
            public List<RamBlock> ramBlocks() {
                return List.of(ram);
            }
        };
        vm = MigrationControl.create(guest, StartMode.RUNNING);
        session = new QmpDispatcher(vm).newSession();
        session.execute(QmpJson.parse("{\"execute\": \"qmp_capabilities\"}"));
        queryMigrate = QmpJson.parse("{\"execute\": \"query-migrate\"}");
        setParameters = QmpJson.parse("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                + "{\"downtime-limit\": 300, \"max-bandwidth\": 1073741824}}");
        rejectedParameters = QmpJson.parse("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                + "{\"compress-level\": 10}}");
    }

    /** Releases the VM. */
    @TearDown
    public void tearDown() {
        vm.close();
        arena.close();
    }

    /**
     * {@code query-migrate} with no migration.
     *
     * @return the reply
     */
    @Benchmark
    public JsonNode queryMigrate() {
        return session.execute(queryMigrate);
    }

    /**
     * A valid {@code migrate-set-parameters}: decode, validate, store.
     *
     * @return the reply
     */
    @Benchmark
    public JsonNode setParameters() {
        return session.execute(setParameters);
    }

    /**
     * A rejected {@code migrate-set-parameters}: the error path.
     *
     * @return the reply
     */
    @Benchmark
    public JsonNode rejectedParameters() {
        return session.execute(rejectedParameters);
    }
}
