package dev.tern.qmp.command;

import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationStatus;
import dev.tern.api.Qapi;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The argument sets of the QMP commands Tern serves, as records the generic codec reads like any
 * QAPI struct (QEMU's generated {@code q_obj_*_arg} types). Members are in schema order, which
 * is the order QEMU visits them and so decides which error is reported first. Commands whose
 * arguments are a whole API type ({@code migrate-set-parameters}, boxed) use that type instead.
 */
public final class CommandArguments {
    private CommandArguments() {
    }

    /** Commands without arguments: any member is unexpected. */
    public record None() {
    }

    /**
     * {@code qmp_capabilities}.
     *
     * @param enable the capabilities to enable
     */
    public record QmpCapabilities(
            @Qapi(name = "enable", type = "[QMPCapability]") Optional<List<QmpCapability>> enable) {
    }

    /**
     * {@code migrate-set-capabilities}.
     *
     * @param capabilities the changes
     */
    public record SetCapabilities(
            @Qapi(name = "capabilities", type = "[MigrationCapabilityStatus]")
            List<MigrationCapabilityStatus> capabilities) {
    }

    /**
     * {@code client_migrate_info}.
     *
     * @param protocol the display protocol
     * @param hostname the destination host
     * @param port the plain port
     * @param tlsPort the TLS port
     * @param certSubject the certificate subject
     */
    public record ClientMigrateInfo(
            @Qapi(name = "protocol", type = "str") String protocol,
            @Qapi(name = "hostname", type = "str") String hostname,
            @Qapi(name = "port", type = "int") OptionalLong port,
            @Qapi(name = "tls-port", type = "int") OptionalLong tlsPort,
            @Qapi(name = "cert-subject", type = "str") Optional<String> certSubject) {
    }

    /**
     * {@code migrate-continue}.
     *
     * @param state the state the migration is expected to be in
     */
    public record MigrateContinue(@Qapi(name = "state", type = "MigrationStatus") MigrationStatus state) {
    }

    /**
     * {@code migrate}.
     *
     * @param uri the destination
     * @param blk block migration
     * @param inc incremental block migration
     * @param detach ignored
     * @param resume resume a paused postcopy migration
     */
    public record Migrate(
            @Qapi(name = "uri", type = "str") String uri,
            @Qapi(name = "blk", type = "bool") Optional<Boolean> blk,
            @Qapi(name = "inc", type = "bool") Optional<Boolean> inc,
            @Qapi(name = "detach", type = "bool") Optional<Boolean> detach,
            @Qapi(name = "resume", type = "bool") Optional<Boolean> resume) {
    }

    /**
     * {@code migrate-incoming} and {@code migrate-recover}.
     *
     * @param uri where to listen
     */
    public record Uri(@Qapi(name = "uri", type = "str") String uri) {
    }

    /**
     * {@code xen-save-devices-state}.
     *
     * @param filename the file to write
     * @param live whether the VM is live
     */
    public record SaveDevicesState(
            @Qapi(name = "filename", type = "str") String filename,
            @Qapi(name = "live", type = "bool") Optional<Boolean> live) {
    }

    /**
     * {@code xen-load-devices-state}.
     *
     * @param filename the file to read
     */
    public record LoadDevicesState(@Qapi(name = "filename", type = "str") String filename) {
    }

    /**
     * {@code xen-set-global-dirty-log}.
     *
     * @param enable start or stop logging
     */
    public record SetGlobalDirtyLog(@Qapi(name = "enable", type = "bool") boolean enable) {
    }

    /**
     * {@code xen-set-replication}.
     *
     * @param enable enable or disable
     * @param primary the primary side
     * @param failover stop replication on failover
     */
    public record SetReplication(
            @Qapi(name = "enable", type = "bool") boolean enable,
            @Qapi(name = "primary", type = "bool") boolean primary,
            @Qapi(name = "failover", type = "bool") Optional<Boolean> failover) {
    }

    /**
     * {@code calc-dirty-rate}.
     *
     * @param calcTime seconds to measure
     * @param samplePages pages sampled per GiB
     * @param mode the method
     */
    public record CalcDirtyRate(
            @Qapi(name = "calc-time", type = "int64") long calcTime,
            @Qapi(name = "sample-pages", type = "int") OptionalLong samplePages,
            @Qapi(name = "mode", type = "DirtyRateMeasureMode") Optional<DirtyRateMeasureMode> mode) {
    }

    /**
     * {@code set-vcpu-dirty-limit}.
     *
     * @param cpuIndex the vCPU, or all
     * @param dirtyRate the limit in MB/s
     */
    public record SetVcpuDirtyLimit(
            @Qapi(name = "cpu-index", type = "int") OptionalLong cpuIndex,
            @Qapi(name = "dirty-rate", type = "uint64") long dirtyRate) {
    }

    /**
     * {@code cancel-vcpu-dirty-limit}.
     *
     * @param cpuIndex the vCPU, or all
     */
    public record CancelVcpuDirtyLimit(@Qapi(name = "cpu-index", type = "int") OptionalLong cpuIndex) {
    }

    /**
     * {@code snapshot-save} and {@code snapshot-load}.
     *
     * @param jobId the job id
     * @param tag the snapshot name
     * @param vmstate the block node of the VM state
     * @param devices the block nodes
     */
    public record SnapshotWithState(
            @Qapi(name = "job-id", type = "str") String jobId,
            @Qapi(name = "tag", type = "str") String tag,
            @Qapi(name = "vmstate", type = "str") String vmstate,
            @Qapi(name = "devices", type = "[str]") List<String> devices) {
    }

    /**
     * {@code snapshot-delete}.
     *
     * @param jobId the job id
     * @param tag the snapshot name
     * @param devices the block nodes
     */
    public record SnapshotDelete(
            @Qapi(name = "job-id", type = "str") String jobId,
            @Qapi(name = "tag", type = "str") String tag,
            @Qapi(name = "devices", type = "[str]") List<String> devices) {
    }

    /**
     * {@code job-dismiss}.
     *
     * @param id the job id
     */
    public record JobId(@Qapi(name = "id", type = "str") String id) {
    }

    /**
     * {@code getfd} and {@code closefd}.
     *
     * @param fdname the descriptor's name
     */
    public record FdName(@Qapi(name = "fdname", type = "str") String fdname) {
    }
}
