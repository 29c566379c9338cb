package dev.tern.api;

import dev.tern.api.colo.ColoStatus;
import dev.tern.api.colo.ReplicationStatus;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.guest.Guest;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.job.JobInfo;
import dev.tern.api.spi.MigrationEngineProvider;
import java.nio.channels.ByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;

/**
 * The migration control of one VM: one method for each of the 29 commands of QEMU's QAPI schema
 * {@code migration.json}, plus {@code query-jobs} and {@code job-dismiss} for the snapshot jobs
 * and the few run-control and fd commands a migration needs ({@code cont}, {@code stop},
 * {@code query-status}, {@code getfd}, {@code closefd}).
 *
 * <p>Every command checks its arguments and the migration state as QEMU 7.2 does and fails with
 * a {@link MigrationException} whose message is QEMU's text wherever QEMU has one. Commands are
 * safe to call from any thread.
 *
 * {@snippet :
 * MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING);
 * vm.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.EVENTS, true)));
 * vm.setParameters(MigrateSetParameters.builder().downtimeLimit(100).build());
 * vm.migrate("tcp:127.0.0.1:4444");
 * }
 */
public interface MigrationControl extends AutoCloseable {

    /**
     * Creates the control object of a VM through the engine found on the module or class path.
     *
     * @param guest the VM to control
     * @param startMode how the VM starts: running, paused, or waiting for an incoming migration
     * @return the control object
     * @throws IllegalStateException if no engine ({@code tern-core}) is present
     */
    static MigrationControl create(Guest guest, StartMode startMode) {
        MigrationEngineProvider provider = ServiceLoader.load(MigrationEngineProvider.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no Tern engine found: add tern-core to the class path or module path"));
        return provider.create(guest, startMode);
    }

    // ---- status and statistics -------------------------------------------------------------

    /**
     * QAPI {@code query-migrate}: the status of the outgoing and incoming migration and, while
     * one is running or after it completed, its statistics. Which members are present depends
     * on the state exactly as in QEMU 7.2.
     *
     * @return the migration info
     */
    MigrationInfo queryMigrate();

    // ---- capabilities and parameters -------------------------------------------------------

    /**
     * QAPI {@code migrate-set-capabilities}: changes capabilities. The request is applied to the
     * current set (later entries override earlier ones) and the result is validated as a whole;
     * if any rule fails, nothing changes.
     *
     * @param capabilities the changes
     * @throws CapabilityException if the resulting set breaks a rule
     * @throws MigrationStateException if an outgoing migration is running
     */
    void setCapabilities(List<MigrationCapabilityStatus> capabilities);

    /**
     * QAPI {@code query-migrate-capabilities}: every capability in schema order with its state.
     *
     * @return the capabilities
     */
    List<MigrationCapabilityStatus> queryCapabilities();

    /**
     * QAPI {@code migrate-set-parameters}: changes parameters; allowed at any time. The request
     * is overlaid on the current values and validated as a whole; if a check fails, nothing
     * changes. Values that affect a running migration take effect at once.
     *
     * @param parameters the parameters to change
     * @throws ParameterException if a value is out of range or inconsistent
     */
    void setParameters(MigrateSetParameters parameters);

    /**
     * QAPI {@code query-migrate-parameters}: every parameter's current value.
     *
     * @return the parameters
     */
    MigrationParameters queryParameters();

    // ---- outgoing migration ----------------------------------------------------------------

    /**
     * QAPI {@code migrate}: starts migrating this VM to {@code uri}; returns once the migration
     * is set up to run in the background. Follow it with {@link #queryMigrate()} or a status
     * listener.
     *
     * @param uri the destination, for example {@code tcp:host:port} or {@code unix:/path}
     * @param options the optional arguments
     * @throws MigrationStateException if a migration runs, the VM waits for an incoming
     *     migration, or a completed migration left it paused
     * @throws MigrationException if a blocker forbids migration or the URI is malformed
     */
    void migrate(String uri, MigrateOptions options);

    /**
     * QAPI {@code migrate} with no optional arguments.
     *
     * @param uri the destination
     * @throws MigrationException as {@link #migrate(String, MigrateOptions)}
     */
    default void migrate(String uri) {
        migrate(uri, MigrateOptions.NONE);
    }

    /**
     * QAPI {@code migrate_cancel}: cancels a running outgoing migration; does nothing when none
     * runs (or in COLO). The source guest keeps running with nothing lost.
     */
    void cancel();

    /**
     * QAPI {@code migrate-continue}: lets a migration paused by {@code pause-before-switchover}
     * go on.
     *
     * @param state the state the caller expects the migration to be in ({@code pre-switchover})
     * @throws MigrationStateException if the migration is not in {@code state}
     */
    void continueMigration(MigrationStatus state);

    /**
     * QAPI {@code migrate-start-postcopy}: asks a running precopy migration to switch to
     * postcopy at its next opportunity.
     *
     * @throws MigrationStateException if postcopy is not enabled or no migration has started
     */
    void startPostcopy();

    /**
     * QAPI {@code migrate-pause}: breaks the channel of a migration in {@code postcopy-active}
     * (either side) so it pauses for recovery.
     *
     * @throws MigrationStateException outside {@code postcopy-active}
     */
    void pause();

    // ---- incoming migration ----------------------------------------------------------------

    /**
     * QAPI {@code migrate-incoming}: starts listening for the incoming migration on {@code uri}
     * (the VM must have been created with {@link StartMode#INCOMING}). With {@code tcp:} port 0
     * the real port is reported in {@code query-migrate}'s {@code socket-address}.
     *
     * @param uri where to listen
     * @throws MigrationStateException if the VM does not wait for a migration or one was started
     * @throws MigrationException if the URI is malformed or cannot be listened on
     */
    void migrateIncoming(String uri);

    /**
     * QAPI {@code migrate-recover}: on a destination whose postcopy migration paused, listens on
     * a new URI for the source to resume.
     *
     * @param uri where to listen
     * @throws MigrationStateException unless postcopy is paused
     */
    void recover(String uri);

    // ---- device state and dirty logging (the Xen-named commands) ---------------------------

    /**
     * QAPI {@code xen-save-devices-state}: writes the state of every device (no RAM) to a file,
     * in the migration stream format.
     *
     * @param filename the file to create
     * @param live whether the VM is live (QAPI {@code live}; default true)
     * @throws MigrationException if the state cannot be saved
     */
    void saveDeviceState(String filename, Optional<Boolean> live);

    /**
     * QAPI {@code xen-load-devices-state}: loads device state written by
     * {@link #saveDeviceState}.
     *
     * @param filename the file to read
     * @throws MigrationException if the file cannot be loaded
     */
    void loadDeviceState(String filename);

    /**
     * QAPI {@code xen-set-global-dirty-log}: starts or stops the guest's dirty logging outside a
     * migration.
     *
     * @param enable true to start logging, false to stop it
     * @throws UnavailableFeatureException if the guest has no dirty log
     */
    void setGlobalDirtyLog(boolean enable);

    // ---- COLO and replication --------------------------------------------------------------

    /**
     * QAPI {@code x-colo-lost-heartbeat}: tells a COLO primary or secondary that its peer is
     * gone, so it takes over (failover).
     *
     * @throws MigrationStateException if the VM is not in COLO mode or failover already started
     */
    void coloLostHeartbeat();

    /**
     * QAPI {@code query-colo-status}: the COLO mode and the last failover's reason.
     *
     * @return the status
     */
    ColoStatus queryColoStatus();

    /**
     * QAPI {@code xen-set-replication} (conditional on {@code CONFIG_REPLICATION}, which Tern has): enables or disables block replication for COLO.
     *
     * @param enable true to enable
     * @param primary true for the primary side
     * @param failover true to stop replication on failover (only when disabling)
     * @throws MigrationException if replication cannot change
     */
    void setReplication(boolean enable, boolean primary, Optional<Boolean> failover);

    /**
     * QAPI {@code query-xen-replication-status} (conditional on {@code CONFIG_REPLICATION}, which Tern has): the replication status.
     *
     * @return the status
     */
    ReplicationStatus queryReplicationStatus();

    /**
     * QAPI {@code xen-colo-do-checkpoint} (conditional on {@code CONFIG_REPLICATION}, which Tern has): triggers a replication checkpoint.
     *
     * @throws MigrationException if the checkpoint fails
     */
    void coloCheckpoint();

    // ---- display ---------------------------------------------------------------------------

    /**
     * QAPI {@code client_migrate_info}: tells a remote-display server where clients reconnect
     * after migration. Only {@code spice} is defined, and Tern hosts no SPICE server.
     *
     * @param protocol the display protocol ({@code spice})
     * @param hostname the destination host name
     * @param port the plain port
     * @param tlsPort the TLS port
     * @param certSubject the server certificate subject
     * @throws MigrationException always on Tern without a SPICE server, with QEMU's messages
     */
    void clientMigrateInfo(String protocol, String hostname, OptionalLong port, OptionalLong tlsPort,
            Optional<String> certSubject);

    // ---- dirty rate and dirty limit --------------------------------------------------------

    /**
     * QAPI {@code calc-dirty-rate}: starts measuring the guest's dirty-page rate in the
     * background.
     *
     * @param calcTime measurement time in seconds, 1..60
     * @param samplePages pages sampled per GiB in {@code page-sampling} mode, 128..16384
     * @param mode the method (default {@code page-sampling})
     * @throws MigrationException if a measurement runs or an argument is out of range
     */
    void calcDirtyRate(long calcTime, OptionalLong samplePages, Optional<DirtyRateMeasureMode> mode);

    /**
     * QAPI {@code query-dirty-rate}: the last measurement's result.
     *
     * @return the result
     */
    DirtyRateInfo queryDirtyRate();

    /**
     * QAPI {@code set-vcpu-dirty-limit}: limits the dirty-page rate of one vCPU or of all.
     *
     * @param cpuIndex the vCPU, or empty for all
     * @param dirtyRate the limit in MB/s; 0 cancels
     * @throws MigrationException without a dirty ring or with a bad index
     */
    void setVcpuDirtyLimit(OptionalLong cpuIndex, long dirtyRate);

    /**
     * QAPI {@code cancel-vcpu-dirty-limit}: removes the limit of one vCPU or of all.
     *
     * @param cpuIndex the vCPU, or empty for all
     * @throws MigrationException with a bad index
     */
    void cancelVcpuDirtyLimit(OptionalLong cpuIndex);

    /**
     * QAPI {@code query-vcpu-dirty-limit}: the limited vCPUs with their limit and current rate.
     *
     * @return one entry per limited vCPU
     */
    List<DirtyLimitInfo> queryVcpuDirtyLimit();

    // ---- snapshots -------------------------------------------------------------------------

    /**
     * QAPI {@code snapshot-save}: starts a job that saves a snapshot of the VM.
     *
     * @param jobId the new job's id
     * @param tag the snapshot name
     * @param vmstate the block node that receives the VM state
     * @param devices the block nodes to snapshot
     * @throws MigrationException if the job id is malformed or in use
     */
    void snapshotSave(String jobId, String tag, String vmstate, List<String> devices);

    /**
     * QAPI {@code snapshot-load}: starts a job that reverts the VM to a snapshot.
     *
     * @param jobId the new job's id
     * @param tag the snapshot name
     * @param vmstate the block node that holds the VM state
     * @param devices the block nodes to revert
     * @throws MigrationException if the job id is malformed or in use
     */
    void snapshotLoad(String jobId, String tag, String vmstate, List<String> devices);

    /**
     * QAPI {@code snapshot-delete}: starts a job that deletes a snapshot.
     *
     * @param jobId the new job's id
     * @param tag the snapshot name
     * @param devices the block nodes to delete it from
     * @throws MigrationException if the job id is malformed or in use
     */
    void snapshotDelete(String jobId, String tag, List<String> devices);

    /**
     * QAPI {@code query-jobs} (job.json): the snapshot jobs that have not been dismissed.
     *
     * @return the jobs
     */
    List<JobInfo> queryJobs();

    /**
     * QAPI {@code job-dismiss} (job.json): removes a concluded job.
     *
     * @param id the job id
     * @throws MigrationException if no such job exists or it has not concluded
     */
    void dismissJob(String id);

    // ---- run control and descriptors -------------------------------------------------------

    /**
     * The VM's run state, as QAPI {@code query-status} reports it.
     *
     * @return the run state
     */
    RunState runState();

    /**
     * QAPI {@code cont}: resumes a stopped guest (also the way out of {@code postmigrate}).
     *
     * @throws MigrationException if the VM waits for an incoming migration
     */
    void cont();

    /** QAPI {@code stop}: stops a running guest. */
    void stop();

    /**
     * QAPI {@code getfd}: registers a channel under a name, for a later {@code fd:NAME} URI.
     *
     * @param name the name
     * @param channel the channel; Tern closes it when it is consumed or closed by name
     */
    void addFd(String name, ByteChannel channel);

    /**
     * QAPI {@code closefd}: closes a channel registered with {@link #addFd}.
     *
     * @param name the name
     * @throws MigrationException if no channel has that name (consumed ones included)
     */
    void closeFd(String name);

    // ---- observation -----------------------------------------------------------------------

    /**
     * Where the VMM reports guest RAM written by its own device emulation.
     *
     * @return the reporter
     */
    DirtyPageReporter vmmWrites();

    /**
     * Registers a listener for the schema's events.
     *
     * @param listener the listener
     */
    void addEventListener(MigrationEventListener listener);

    /**
     * Removes a listener added with {@link #addEventListener}.
     *
     * @param listener the listener
     */
    void removeEventListener(MigrationEventListener listener);

    /**
     * Registers a listener for every status change of either side.
     *
     * @param listener the listener
     */
    void addStatusListener(MigrationStatusListener listener);

    /**
     * Removes a listener added with {@link #addStatusListener}.
     *
     * @param listener the listener
     */
    void removeStatusListener(MigrationStatusListener listener);

    /**
     * The VM this object controls.
     *
     * @return the guest
     */
    Guest guest();

    /**
     * Cancels any migration and releases every thread, socket and mapping the engine holds.
     */
    @Override
    void close();
}
