package dev.tern.qmp;

import dev.tern.api.DirtyPageReporter;
import dev.tern.api.MigrateOptions;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.colo.ColoStatus;
import dev.tern.api.colo.ReplicationStatus;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.dirtyrate.DirtyRateStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.guest.Guest;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.job.JobInfo;
import java.nio.channels.ByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A MigrationControl that records every call as {@code method(arg, arg, ...)} and answers
 * queries with settable values; {@link #failNext} makes the next call throw, to check error
 * mapping. Event listeners are kept so a test can {@link #emit} events.
 */
class RecordingControl implements MigrationControl {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<MigrationEventListener> listeners = new CopyOnWriteArrayList<>();
    volatile RuntimeException nextFailure;
    /** When set, migrate() waits for it: a long-running in-band command. */
    volatile CountDownLatch migrateGate;

    volatile MigrationInfo migrationInfo = MigrationInfo.builder().build();
    volatile List<MigrationCapabilityStatus> capabilities = List.of();
    volatile MigrationParameters parameters = MigrationParameters.builder().build();
    volatile RunState runState = RunState.RUNNING;
    volatile ColoStatus coloStatus = new ColoStatus(ColoMode.NONE, ColoMode.NONE, ColoExitReason.NONE);
    volatile ReplicationStatus replicationStatus = ReplicationStatus.builder().error(false).build();
    volatile DirtyRateInfo dirtyRateInfo = DirtyRateInfo.builder().status(DirtyRateStatus.UNSTARTED)
            .mode(DirtyRateMeasureMode.PAGE_SAMPLING).build();
    volatile List<DirtyLimitInfo> dirtyLimits = List.of();
    volatile List<JobInfo> jobs = List.of();

    void failNext(RuntimeException e) {
        nextFailure = e;
    }

    void emit(MigrationEvent event) {
        for (MigrationEventListener l : listeners) {
            l.onEvent(event);
        }
    }

    String lastCall() {
        return calls.isEmpty() ? null : calls.getLast();
    }

    private void call(String method, Object... args) {
        StringJoiner joined = new StringJoiner(", ", method + "(", ")");
        for (Object a : args) {
            joined.add(String.valueOf(a));
        }
        calls.add(joined.toString());
        RuntimeException failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure;
        }
    }

    private <T> T query(String method, Supplier<T> value) {
        call(method);
        return value.get();
    }

    @Override
    public MigrationInfo queryMigrate() {
        return query("queryMigrate", () -> migrationInfo);
    }

    @Override
    public void setCapabilities(List<MigrationCapabilityStatus> caps) {
        call("setCapabilities", caps);
    }

    @Override
    public List<MigrationCapabilityStatus> queryCapabilities() {
        return query("queryCapabilities", () -> capabilities);
    }

    @Override
    public void setParameters(MigrateSetParameters p) {
        call("setParameters", p);
    }

    @Override
    public MigrationParameters queryParameters() {
        return query("queryParameters", () -> parameters);
    }

    @Override
    public void migrate(String uri, MigrateOptions options) {
        call("migrate", uri, options);
        CountDownLatch gate = migrateGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void cancel() {
        call("cancel");
    }

    @Override
    public void continueMigration(MigrationStatus state) {
        call("continueMigration", state);
    }

    @Override
    public void startPostcopy() {
        call("startPostcopy");
    }

    @Override
    public void pause() {
        call("pause");
    }

    @Override
    public void migrateIncoming(String uri) {
        call("migrateIncoming", uri);
    }

    @Override
    public void recover(String uri) {
        call("recover", uri);
    }

    @Override
    public void saveDeviceState(String filename, Optional<Boolean> live) {
        call("saveDeviceState", filename, live);
    }

    @Override
    public void loadDeviceState(String filename) {
        call("loadDeviceState", filename);
    }

    @Override
    public void setGlobalDirtyLog(boolean enable) {
        call("setGlobalDirtyLog", enable);
    }

    @Override
    public void coloLostHeartbeat() {
        call("coloLostHeartbeat");
    }

    @Override
    public ColoStatus queryColoStatus() {
        return query("queryColoStatus", () -> coloStatus);
    }

    @Override
    public void setReplication(boolean enable, boolean primary, Optional<Boolean> failover) {
        call("setReplication", enable, primary, failover);
    }

    @Override
    public ReplicationStatus queryReplicationStatus() {
        return query("queryReplicationStatus", () -> replicationStatus);
    }

    @Override
    public void coloCheckpoint() {
        call("coloCheckpoint");
    }

    @Override
    public void clientMigrateInfo(String protocol, String hostname, OptionalLong port, OptionalLong tlsPort,
            Optional<String> certSubject) {
        call("clientMigrateInfo", protocol, hostname, port, tlsPort, certSubject);
    }

    @Override
    public void calcDirtyRate(long calcTime, OptionalLong samplePages, Optional<DirtyRateMeasureMode> mode) {
        call("calcDirtyRate", calcTime, samplePages, mode);
    }

    @Override
    public DirtyRateInfo queryDirtyRate() {
        return query("queryDirtyRate", () -> dirtyRateInfo);
    }

    @Override
    public void setVcpuDirtyLimit(OptionalLong cpuIndex, long dirtyRate) {
        call("setVcpuDirtyLimit", cpuIndex, dirtyRate);
    }

    @Override
    public void cancelVcpuDirtyLimit(OptionalLong cpuIndex) {
        call("cancelVcpuDirtyLimit", cpuIndex);
    }

    @Override
    public List<DirtyLimitInfo> queryVcpuDirtyLimit() {
        return query("queryVcpuDirtyLimit", () -> dirtyLimits);
    }

    @Override
    public void snapshotSave(String jobId, String tag, String vmstate, List<String> devices) {
        call("snapshotSave", jobId, tag, vmstate, devices);
    }

    @Override
    public void snapshotLoad(String jobId, String tag, String vmstate, List<String> devices) {
        call("snapshotLoad", jobId, tag, vmstate, devices);
    }

    @Override
    public void snapshotDelete(String jobId, String tag, List<String> devices) {
        call("snapshotDelete", jobId, tag, devices);
    }

    @Override
    public List<JobInfo> queryJobs() {
        return query("queryJobs", () -> jobs);
    }

    @Override
    public void dismissJob(String id) {
        call("dismissJob", id);
    }

    @Override
    public RunState runState() {
        return query("runState", () -> runState);
    }

    @Override
    public void cont() {
        call("cont");
    }

    @Override
    public void stop() {
        call("stop");
    }

    @Override
    public void addFd(String name, ByteChannel channel) {
        call("addFd", name);
    }

    @Override
    public void closeFd(String name) {
        call("closeFd", name);
    }

    @Override
    public DirtyPageReporter vmmWrites() {
        throw new UnsupportedOperationException("not used by the QMP layer");
    }

    @Override
    public void addEventListener(MigrationEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeEventListener(MigrationEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void addStatusListener(MigrationStatusListener listener) {
        calls.add("addStatusListener");
    }

    @Override
    public void removeStatusListener(MigrationStatusListener listener) {
        calls.add("removeStatusListener");
    }

    @Override
    public Guest guest() {
        throw new UnsupportedOperationException("not used by the QMP layer");
    }

    @Override
    public void close() {
        calls.add("close()");
    }
}
