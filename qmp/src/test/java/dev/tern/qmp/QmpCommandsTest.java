package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.colo.ColoStatus;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.api.job.JobInfo;
import dev.tern.api.job.JobStatus;
import dev.tern.api.job.JobType;
import dev.tern.qmp.json.QmpJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each command's arguments reach the right MigrationControl method, and replies are encoded. */
class QmpCommandsTest {
    private final RecordingControl vm = new RecordingControl();
    private final AtomicInteger quits = new AtomicInteger();
    private QmpSession session;

    @BeforeEach
    void negotiate() {
        session = new QmpDispatcher(vm, quits::incrementAndGet).newSession();
        assertEquals("{\"return\": {}}", exec("{\"execute\": \"qmp_capabilities\"}"));
    }

    private String exec(String request) {
        return QmpSessionTest.exec(session, request);
    }

    static Stream<Arguments> commandsWithoutReturnValue() {
        return Stream.of(
                Arguments.of("migrate-set-capabilities", "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}",
                        "setCapabilities([MigrationCapabilityStatus[capability=events, state=true]])"),
                Arguments.of("migrate-set-parameters", "{\"downtime-limit\": 500, \"tls-creds\": null}",
                        "setParameters(MigrateSetParameters[announceInitial=OptionalLong.empty, announceMax=OptionalLong.empty, "
                        + "announceRounds=OptionalLong.empty, announceStep=OptionalLong.empty, compressLevel=OptionalInt.empty, "
                        + "compressThreads=OptionalInt.empty, compressWaitThread=Optional.empty, decompressThreads=OptionalInt.empty, "
                        + "throttleTriggerThreshold=OptionalInt.empty, cpuThrottleInitial=OptionalInt.empty, "
                        + "cpuThrottleIncrement=OptionalInt.empty, cpuThrottleTailslow=Optional.empty, tlsCreds=Optional[], "
                        + "tlsHostname=Optional.empty, tlsAuthz=Optional.empty, maxBandwidth=OptionalLong.empty, "
                        + "downtimeLimit=OptionalLong[500], xCheckpointDelay=OptionalLong.empty, blockIncremental=Optional.empty, "
                        + "multifdChannels=OptionalInt.empty, xbzrleCacheSize=OptionalLong.empty, "
                        + "maxPostcopyBandwidth=OptionalLong.empty, maxCpuThrottle=OptionalInt.empty, "
                        + "multifdCompression=Optional.empty, multifdZlibLevel=OptionalInt.empty, "
                        + "multifdZstdLevel=OptionalInt.empty, blockBitmapMapping=Optional.empty])"),
                Arguments.of("client_migrate_info", "{\"protocol\": \"spice\", \"hostname\": \"h\", \"port\": 5900}",
                        "clientMigrateInfo(spice, h, OptionalLong[5900], OptionalLong.empty, Optional.empty)"),
                Arguments.of("migrate-start-postcopy", "{}", "startPostcopy()"),
                Arguments.of("x-colo-lost-heartbeat", "{}", "coloLostHeartbeat()"),
                Arguments.of("migrate_cancel", "{}", "cancel()"),
                Arguments.of("migrate-continue", "{\"state\": \"pre-switchover\"}", "continueMigration(pre-switchover)"),
                Arguments.of("migrate", "{\"uri\": \"tcp:127.0.0.1:4444\"}",
                        "migrate(tcp:127.0.0.1:4444, MigrateOptions[blk=Optional.empty, inc=Optional.empty, "
                        + "detach=Optional.empty, resume=Optional.empty])"),
                Arguments.of("migrate", "{\"uri\": \"unix:/m\", \"detach\": true, \"resume\": true}",
                        "migrate(unix:/m, MigrateOptions[blk=Optional.empty, inc=Optional.empty, "
                        + "detach=Optional[true], resume=Optional[true]])"),
                Arguments.of("migrate-incoming", "{\"uri\": \"tcp:0:0\"}", "migrateIncoming(tcp:0:0)"),
                Arguments.of("xen-save-devices-state", "{\"filename\": \"/f\", \"live\": false}",
                        "saveDeviceState(/f, Optional[false])"),
                Arguments.of("xen-set-global-dirty-log", "{\"enable\": true}", "setGlobalDirtyLog(true)"),
                Arguments.of("xen-load-devices-state", "{\"filename\": \"/f\"}", "loadDeviceState(/f)"),
                Arguments.of("xen-set-replication", "{\"enable\": false, \"primary\": true, \"failover\": true}",
                        "setReplication(false, true, Optional[true])"),
                Arguments.of("xen-colo-do-checkpoint", "{}", "coloCheckpoint()"),
                Arguments.of("migrate-recover", "{\"uri\": \"tcp:0:1\"}", "recover(tcp:0:1)"),
                Arguments.of("migrate-pause", "{}", "pause()"),
                Arguments.of("calc-dirty-rate", "{\"calc-time\": 1, \"sample-pages\": 512, \"mode\": \"dirty-bitmap\"}",
                        "calcDirtyRate(1, OptionalLong[512], Optional[dirty-bitmap])"),
                Arguments.of("set-vcpu-dirty-limit", "{\"dirty-rate\": 200, \"cpu-index\": 1}",
                        "setVcpuDirtyLimit(OptionalLong[1], 200)"),
                Arguments.of("set-vcpu-dirty-limit", "{\"dirty-rate\": 18446744073709551615}",
                        "setVcpuDirtyLimit(OptionalLong.empty, -1)"),
                Arguments.of("cancel-vcpu-dirty-limit", "{}", "cancelVcpuDirtyLimit(OptionalLong.empty)"),
                Arguments.of("snapshot-save", "{\"job-id\": \"j\", \"tag\": \"t\", \"vmstate\": \"v\", \"devices\": [\"d\"]}",
                        "snapshotSave(j, t, v, [d])"),
                Arguments.of("snapshot-load", "{\"job-id\": \"j\", \"tag\": \"t\", \"vmstate\": \"v\", \"devices\": []}",
                        "snapshotLoad(j, t, v, [])"),
                Arguments.of("snapshot-delete", "{\"job-id\": \"j\", \"tag\": \"t\", \"devices\": [\"a\", \"b\"]}",
                        "snapshotDelete(j, t, [a, b])"),
                Arguments.of("job-dismiss", "{\"id\": \"j\"}", "dismissJob(j)"),
                Arguments.of("cont", "{}", "cont()"),
                Arguments.of("stop", "{}", "stop()"),
                Arguments.of("closefd", "{\"fdname\": \"mig\"}", "closeFd(mig)"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("commandsWithoutReturnValue")
    void commandReachesTheControl(String command, String arguments, String expectedCall) {
        assertEquals("{\"return\": {}, \"id\": 9}",
                exec("{\"execute\": \"" + command + "\", \"arguments\": " + arguments + ", \"id\": 9}"));
        assertEquals(List.of(expectedCall), vm.calls);
    }

    @Test
    void argumentErrorsNeverReachTheControl() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'uri' is missing\"}}",
                exec("{\"execute\": \"migrate\"}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'compress-level' expects uint8_t\"}}",
                exec("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"compress-level\": 256}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": "
                + "\"Invalid parameter type for 'capabilities[0].state', expected: boolean\"}}",
                exec("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
                        + "[{\"capability\": \"xbzrle\", \"state\": 1}]}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'state' does not accept value 'paused'\"}}",
                exec("{\"execute\": \"migrate-continue\", \"arguments\": {\"state\": \"paused\"}}"));
        assertTrue(vm.calls.isEmpty(), vm.calls::toString);
    }

    @Test
    void queriesReturnTheirValues() throws JsonProcessingException {
        vm.migrationInfo = MigrationInfo.builder().status(MigrationStatus.SETUP)
                .socketAddress(List.of(SocketAddress.Inet.bound("127.0.0.1", 4444, false))).build();
        assertEquals(QmpJson.parse("{\"return\": {\"status\": \"setup\", \"socket-address\": [{\"type\": \"inet\", "
                + "\"host\": \"127.0.0.1\", \"port\": \"4444\", \"ipv4\": true}]}}"),
                QmpJson.parse(exec("{\"execute\": \"query-migrate\"}")));

        vm.capabilities = List.of(new MigrationCapabilityStatus(MigrationCapability.XBZRLE, false),
                new MigrationCapabilityStatus(MigrationCapability.EVENTS, true));
        assertEquals("{\"return\": [{\"state\": false, \"capability\": \"xbzrle\"}, {\"state\": true, \"capability\": \"events\"}]}",
                exec("{\"execute\": \"query-migrate-capabilities\"}"));

        vm.parameters = MigrationParameters.builder().maxBandwidth(134217728).tlsCreds("").build();
        assertEquals(QmpJson.parse("{\"return\": {\"max-bandwidth\": 134217728, \"tls-creds\": \"\"}}"),
                QmpJson.parse(exec("{\"execute\": \"query-migrate-parameters\"}")));

        vm.coloStatus = new ColoStatus(ColoMode.PRIMARY, ColoMode.NONE, ColoExitReason.REQUEST);
        assertEquals(QmpJson.parse("{\"return\": {\"mode\": \"primary\", \"last-mode\": \"none\", \"reason\": \"request\"}}"),
                QmpJson.parse(exec("{\"execute\": \"query-colo-status\"}")));
        assertEquals("{\"return\": {\"error\": false}}", exec("{\"execute\": \"query-xen-replication-status\"}"));
        assertEquals(QmpJson.parse("{\"return\": {\"status\": \"unstarted\", \"start-time\": 0, \"calc-time\": 0, "
                + "\"sample-pages\": 0, \"mode\": \"page-sampling\"}}"), QmpJson.parse(exec("{\"execute\": \"query-dirty-rate\"}")));

        vm.dirtyLimits = List.of(new DirtyLimitInfo(0, -1, 3));
        assertEquals(QmpJson.parse("{\"return\": [{\"cpu-index\": 0, \"limit-rate\": 18446744073709551615, "
                + "\"current-rate\": 3}]}"), QmpJson.parse(exec("{\"execute\": \"query-vcpu-dirty-limit\"}")));

        vm.jobs = List.of(JobInfo.builder().id("s0").type(JobType.SNAPSHOT_SAVE).status(JobStatus.CONCLUDED)
                .currentProgress(1).totalProgress(1).build());
        assertEquals(QmpJson.parse("{\"return\": [{\"id\": \"s0\", \"type\": \"snapshot-save\", \"status\": \"concluded\", "
                + "\"current-progress\": 1, \"total-progress\": 1}]}"), QmpJson.parse(exec("{\"execute\": \"query-jobs\"}")));
    }

    @Test
    void queryStatusReportsRunningOnlyForTheRunningState() {
        vm.runState = RunState.POSTMIGRATE;
        assertEquals("{\"return\": {\"status\": \"postmigrate\", \"singlestep\": false, \"running\": false}}",
                exec("{\"execute\": \"query-status\"}"));
        vm.runState = RunState.INMIGRATE;
        assertEquals("{\"return\": {\"status\": \"inmigrate\", \"singlestep\": false, \"running\": false}}",
                exec("{\"execute\": \"query-status\"}"));
    }

    @Test
    void queryVersionIsQemu72AndTern() throws JsonProcessingException {
        String reply = exec("{\"execute\": \"query-version\"}");
        assertTrue(reply.startsWith("{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"tern-"),
                reply);
        assertTrue(QmpJson.parse(reply).at("/return/package").asText().matches("tern-\\d+\\.\\d+\\.\\d+.*"), reply);
    }

    @Test
    void queryCommandsListsEveryCommand() throws JsonProcessingException {
        List<String> names = new ArrayList<>();
        QmpJson.parse(exec("{\"execute\": \"query-commands\"}")).get("return")
                .forEach(c -> names.add(c.get("name").asText()));
        List<String> migrationJson = List.of("query-migrate", "migrate-set-capabilities", "query-migrate-capabilities",
                "migrate-set-parameters", "query-migrate-parameters", "client_migrate_info", "migrate-start-postcopy",
                "x-colo-lost-heartbeat", "migrate_cancel", "migrate-continue", "migrate", "migrate-incoming",
                "xen-save-devices-state", "xen-set-global-dirty-log", "xen-load-devices-state", "xen-set-replication",
                "query-xen-replication-status", "xen-colo-do-checkpoint", "query-colo-status", "migrate-recover",
                "migrate-pause", "calc-dirty-rate", "query-dirty-rate", "set-vcpu-dirty-limit", "cancel-vcpu-dirty-limit",
                "query-vcpu-dirty-limit", "snapshot-save", "snapshot-load", "snapshot-delete");
        assertEquals(29, migrationJson.size());
        assertTrue(names.containsAll(migrationJson), names::toString);
        assertTrue(names.containsAll(List.of("qmp_capabilities", "query-commands", "query-version", "query-status", "cont",
                "stop", "query-jobs", "job-dismiss", "getfd", "closefd", "quit")), names::toString);
        assertEquals(29 + 11, names.size(), names::toString);
    }

    @Test
    void getfdCannotReceiveADescriptorOverAPlainStream() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"No file descriptor supplied via SCM_RIGHTS\"}}",
                exec("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"mig\"}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'fdname' is missing\"}}",
                exec("{\"execute\": \"getfd\"}"));
    }

    @Test
    void quitOnlyWhenTheEmbedderEnablesIt() {
        assertEquals("{\"return\": {}}", exec("{\"execute\": \"quit\"}"));
        assertEquals(1, quits.get());
        QmpSession plain = new QmpDispatcher(vm).newSession();
        QmpSessionTest.exec(plain, "{\"execute\": \"qmp_capabilities\"}");
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command quit has not been found\"}}",
                QmpSessionTest.exec(plain, "{\"execute\": \"quit\"}"));
        assertTrue(!new QmpDispatcher(vm).commandNames().contains("quit"));
    }
}
