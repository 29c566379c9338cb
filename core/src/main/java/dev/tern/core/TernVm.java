package dev.tern.core;

import dev.tern.api.DirtyPageReporter;
import dev.tern.api.MigrateOptions;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationException;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.UnavailableFeatureException;
import dev.tern.api.colo.ColoStatus;
import dev.tern.api.colo.ReplicationStatus;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.event.Side;
import dev.tern.api.guest.Guest;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.job.JobInfo;
import dev.tern.core.capability.CapabilityContext;
import dev.tern.core.capability.CapabilityRules;
import dev.tern.core.colo.ColoState;
import dev.tern.core.dirty.VmmWriteLog;
import dev.tern.core.dirtyrate.DirtyLimiter;
import dev.tern.core.dirtyrate.DirtyRateMeter;
import dev.tern.core.job.SnapshotJobs;
import dev.tern.core.parameter.ParameterStore;
import dev.tern.core.state.EventHub;
import dev.tern.core.state.MigrateCancel;
import dev.tern.core.state.StatusCell;
import dev.tern.core.state.SwitchoverPause;
import dev.tern.core.state.StatusPredicates;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.vm.FdRegistry;
import dev.tern.core.vm.RunControl;
import dev.tern.api.guest.DirtyLog;
import dev.tern.core.incoming.IncomingMigration;
import dev.tern.core.precopy.OutgoingMigration;
import dev.tern.core.precopy.SourceContext;
import dev.tern.transport.MigrationListener;
import dev.tern.transport.Transports;
import dev.tern.transport.uri.MigrationUri;
import dev.tern.transport.uri.UnknownMigrationProtocolException;
import java.nio.channels.ByteChannel;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The migration control of one VM: every QAPI command's checks, in QEMU 7.2's order, over the
 * capability, parameter and status state of {@code dev.tern.core}'s rule classes.
 */
final class TernVm implements MigrationControl {
    private static final System.Logger LOG = System.getLogger(TernVm.class.getName());
    /** x86's target page size: every page-based statistic counts in it. */
    static final long TARGET_PAGE_SIZE = 4096;

    private final Guest guest;
    private final InstantSource clock;
    private final Object lock = new Object();
    private final EnumSet<MigrationCapability> capabilities = EnumSet.noneOf(MigrationCapability.class);
    private final ParameterStore parameters = new ParameterStore();
    private final EventHub events;
    private final StatusCell source;
    private final StatusCell destination;
    private final MigrationCounters counters;
    private final SwitchoverPause switchoverPause;
    private final RunControl run;
    private final ColoState colo = new ColoState();
    private final FdRegistry fds = new FdRegistry();
    private final VmmWriteLog vmmWrites;
    private final DirtyRateMeter dirtyRate;
    private final DirtyLimiter dirtyLimit;
    private final SnapshotJobs jobs;

    private volatile String sourceError;
    private volatile String destinationError;
    private volatile OutgoingMigration outgoing;
    private volatile IncomingMigration incoming;
    private volatile boolean postcopyRequested;
    /** Scheme of the incoming listener once {@code migrate-incoming} succeeded (QEMU's "once"). */
    private volatile String incomingScheme;

    TernVm(Guest guest, StartMode startMode, InstantSource clock) {
        this.guest = Objects.requireNonNull(guest, "guest");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = new EventHub(this::eventsOn, clock);
        this.source = new StatusCell(Side.SOURCE, events);
        this.destination = new StatusCell(Side.DESTINATION, events);
        this.switchoverPause = new SwitchoverPause(source);
        this.counters = new MigrationCounters(TARGET_PAGE_SIZE, clock);
        this.run = new RunControl(guest, Objects.requireNonNull(startMode, "startMode"));
        this.vmmWrites = new VmmWriteLog(guest.ramBlocks());
        this.dirtyRate = new DirtyRateMeter(guest, clock);
        this.dirtyLimit = new DirtyLimiter(guest);
        this.jobs = new SnapshotJobs(guest, new SnapshotHostAdapter(this), events::emit, clock);
    }

    private boolean eventsOn() {
        synchronized (lock) {
            return capabilities.contains(MigrationCapability.EVENTS);
        }
    }

    private boolean capability(MigrationCapability c) {
        synchronized (lock) {
            return capabilities.contains(c);
        }
    }

    private CapabilityContext capabilityContext() {
        return new CapabilityContext(run.state() == RunState.INMIGRATE, Optional.ofNullable(incomingScheme),
                parameters.current(), guest, isLinux());
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    // ---- status ----------------------------------------------------------------------------

    @Override
    public MigrationInfo queryMigrate() {
        return QueryMigrate.assemble(this);
    }

    MigrationStatus sourceStatus() {
        return source.get();
    }

    MigrationStatus destinationStatus() {
        return destination.get();
    }

    MigrationCounters counters() {
        return counters;
    }

    Optional<String> sourceError() {
        return Optional.ofNullable(sourceError);
    }

    Optional<String> destinationError() {
        return Optional.ofNullable(destinationError);
    }

    Optional<OutgoingMigration> outgoing() {
        return Optional.ofNullable(outgoing);
    }

    Optional<IncomingMigration> incoming() {
        return Optional.ofNullable(incoming);
    }

    Set<MigrationCapability> capabilitySnapshot() {
        synchronized (lock) {
            return EnumSet.copyOf(capabilities.isEmpty() ? EnumSet.noneOf(MigrationCapability.class) : capabilities);
        }
    }

    InstantSource clock() {
        return clock;
    }

    // ---- capabilities and parameters -------------------------------------------------------

    @Override
    public void setCapabilities(List<MigrationCapabilityStatus> request) {
        Objects.requireNonNull(request, "capabilities");
        synchronized (lock) {
            if (StatusPredicates.isRunning(source.get())) {
                throw MigrationStateException.migrationInProgress();
            }
            EnumSet<MigrationCapability> next = CapabilityRules.apply(capabilities, request, capabilityContext());
            capabilities.clear();
            capabilities.addAll(next);
        }
    }

    @Override
    public List<MigrationCapabilityStatus> queryCapabilities() {
        synchronized (lock) {
            return CapabilityRules.query(capabilities);
        }
    }

    @Override
    public void setParameters(MigrateSetParameters request) {
        Objects.requireNonNull(request, "parameters");
        MigrationParameters now;
        synchronized (lock) {
            now = parameters.apply(request, capabilities);
        }
        OutgoingMigration migration = outgoing;
        if (migration != null) {
            migration.parametersChanged(now);
        }
    }

    @Override
    public MigrationParameters queryParameters() {
        return parameters.current();
    }

    // ---- outgoing migration ----------------------------------------------------------------

    @Override
    public void migrate(String uri, MigrateOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        synchronized (lock) {
            if (options.resume().orElse(false)) {
                resumePostcopy();
                return;
            }
            prepareOutgoing(options);
            source.migrateInit();
            counters.reset();
            sourceError = null;
            postcopyRequested = false;
        }
        MigrationUri target;
        try {
            target = MigrationUri.parse(uri, Side.SOURCE);
            target.unsupportedReason().ifPresent(reason -> {
                throw new UnavailableFeatureException(reason);
            });
        } catch (UnknownMigrationProtocolException e) {
            // QEMU fails the migration without recording an error-desc for an unknown scheme.
            source.compareAndSet(MigrationStatus.SETUP, MigrationStatus.FAILED);
            // A cancel that got in first ends here: no thread will finish it.
            source.compareAndSet(MigrationStatus.CANCELLING, MigrationStatus.CANCELLED);
            throw e;
        } catch (MigrationException e) {
            failSetup(e.getMessage());
            throw e;
        }
        synchronized (lock) {
            if (source.get() != MigrationStatus.SETUP) {
                // A cancel got in before the migration thread existed: there is nothing to run
                // (a thread started now would connect, and its cleanup could stop the dirty log
                // of the next migration).
                source.compareAndSet(MigrationStatus.CANCELLING, MigrationStatus.CANCELLED);
                return;
            }
            OutgoingMigration migration = new OutgoingMigration(sourceContext(), target, dirtyLogFor());
            outgoing = migration;
            migration.start();
        }
    }

    private SourceContext sourceContext() {
        return new SourceContext(guest, capabilitySnapshot(), parameters::current, source, switchoverPause, counters,
                events, run, vmmWrites, fds::takeOrNull, error -> sourceError = error, clock);
    }

    /** A running guest needs its dirty log; a stopped one cannot dirty anything. */
    private DirtyLog dirtyLogFor() {
        return guest.dirtyLog().orElse(StoppedGuestLog.INSTANCE);
    }

    /** Checks that the guest offers what migrating it in its current run state needs. */
    private void requireLiveMigrationSupport() {
        if (run.state() == RunState.RUNNING && (guest.dirtyLog().isEmpty() || guest.vcpus().isEmpty())) {
            throw new UnavailableFeatureException("this guest runs but cannot be migrated live: Tern needs the "
                    + "guest's " + (guest.dirtyLog().isEmpty() ? "DirtyLog" : "VcpuControl")
                    + " to track and stop its writes (stop the guest first to migrate it as it is)");
        }
    }

    /** QEMU's {@code migrate_prepare} checks, in its order. */
    private void prepareOutgoing(MigrateOptions options) {
        // COLO is neither running nor idle; a new migration from it would orphan the checkpoints.
        if (StatusPredicates.isRunning(source.get()) || source.get() == MigrationStatus.COLO) {
            throw MigrationStateException.migrationInProgress();
        }
        if (run.state() == RunState.INMIGRATE) {
            throw MigrationStateException.waitingForIncomingMigration();
        }
        if (run.state() == RunState.POSTMIGRATE) {
            throw MigrationStateException.pausedByPreviousMigration();
        }
        List<String> blocked = guest.migrationBlockers();
        if (!blocked.isEmpty()) {
            throw MigrationException.generic(blocked.getFirst());
        }
        if (options.blk().orElse(false) || options.inc().orElse(false)) {
            if (capabilities.contains(MigrationCapability.X_COLO)) {
                throw MigrationException.generic("No disk migration is required in COLO mode");
            }
            if (capabilities.contains(MigrationCapability.BLOCK) || parameters.current().blockIncremental().orElse(false)) {
                throw MigrationException.generic("Command options are incompatible with current migration capabilities");
            }
            // QEMU turns the block capability on for this migration; the capability check refuses it here.
            EnumSet<MigrationCapability> withBlock = EnumSet.copyOf(capabilities.isEmpty()
                    ? EnumSet.noneOf(MigrationCapability.class) : capabilities);
            withBlock.add(MigrationCapability.BLOCK);
            CapabilityRules.check(capabilities, withBlock, capabilityContext());
        }
        requireLiveMigrationSupport();
    }

    private void resumePostcopy() {
        if (source.get() != MigrationStatus.POSTCOPY_PAUSED) {
            throw MigrationStateException.noPausedMigration();
        }
        if (capabilities.contains(MigrationCapability.RELEASE_RAM)) {
            throw MigrationStateException.recoveryWithReleaseRam();
        }
        throw new UnavailableFeatureException(MissingEngine.POSTCOPY);
    }

    /** QEMU's {@code migrate_fd_error}: record the error, setup → failed. */
    private void failSetup(String error) {
        sourceError = error;
        source.compareAndSet(MigrationStatus.SETUP, MigrationStatus.FAILED);
        // A cancel that got in first ends here: no thread will finish it.
        source.compareAndSet(MigrationStatus.CANCELLING, MigrationStatus.CANCELLED);
        LOG.log(System.Logger.Level.DEBUG, "outgoing migration failed in setup: {0}", error);
    }

    @Override
    public void cancel() {
        Optional<MigrationStatus> from = MigrateCancel.moveToCancelling(source, switchoverPause);
        if (from.isEmpty()) {
            return;
        }
        OutgoingMigration migration;
        synchronized (lock) {
            // migrate() starts its thread under the lock only while the status is setup, so
            // this either finds that thread or knows none will start.
            migration = outgoing;
            if (migration == null) {
                source.compareAndSet(MigrationStatus.CANCELLING, MigrationStatus.CANCELLED);
            }
        }
        if (migration != null) {
            // The thread sees its channel fail, cleans up and moves cancelling -> cancelled. A
            // previous migration's finished thread ignores it; migrate() then does the move.
            migration.shutdown();
        }
    }

    @Override
    public void continueMigration(MigrationStatus state) {
        switchoverPause.migrateContinue(Objects.requireNonNull(state, "state"));
    }

    @Override
    public void startPostcopy() {
        if (!capability(MigrationCapability.POSTCOPY_RAM) && !capability(MigrationCapability.DIRTY_BITMAPS)) {
            throw MigrationStateException.postcopyNotEnabled();
        }
        if (source.get() == MigrationStatus.NONE) {
            throw MigrationStateException.postcopyBeforeMigration();
        }
        postcopyRequested = true;
    }

    boolean postcopyRequested() {
        return postcopyRequested;
    }

    @Override
    public void pause() {
        if (source.get() == MigrationStatus.POSTCOPY_ACTIVE || destination.get() == MigrationStatus.POSTCOPY_ACTIVE) {
            // Unreachable until postcopy exists: no migration enters postcopy-active yet.
            throw new UnavailableFeatureException(MissingEngine.POSTCOPY);
        }
        throw MigrationStateException.pauseOnlyInPostcopyActive();
    }

    // ---- incoming migration ----------------------------------------------------------------

    @Override
    public void migrateIncoming(String uri) {
        Objects.requireNonNull(uri, "uri");
        synchronized (lock) {
            if (incomingScheme != null) {
                throw MigrationStateException.incomingAlreadyStarted();
            }
            if (run.state() != RunState.INMIGRATE) {
                throw MigrationStateException.incomingNotSpecified();
            }
            // QEMU announces the listener before it even parses the URI.
            events.incomingListenerStarted();
            MigrationUri target = MigrationUri.parse(uri, Side.DESTINATION);
            target.unsupportedReason().ifPresent(reason -> {
                throw new UnavailableFeatureException(reason);
            });
            MigrationListener listener;
            try {
                listener = Transports.listen(target, fds::takeOrNull);
            } catch (java.io.IOException e) {
                throw MigrationException.generic(e.getMessage());
            }
            IncomingMigration migration = new IncomingMigration(guest, this::capabilitySnapshot, parameters::current,
                    destination, run, listener, error -> destinationError = error);
            incoming = migration;
            incomingScheme = target.scheme();
            migration.start();
        }
    }

    @Override
    public void recover(String uri) {
        Objects.requireNonNull(uri, "uri");
        if (destination.get() != MigrationStatus.POSTCOPY_PAUSED) {
            throw MigrationStateException.recoverOnlyWhenPaused();
        }
        throw new UnavailableFeatureException(MissingEngine.POSTCOPY);
    }

    // ---- device state and dirty logging ----------------------------------------------------

    @Override
    public void saveDeviceState(String filename, Optional<Boolean> live) {
        Objects.requireNonNull(filename, "filename");
        throw new UnavailableFeatureException(MissingEngine.DEVICE_STREAM);
    }

    @Override
    public void loadDeviceState(String filename) {
        Objects.requireNonNull(filename, "filename");
        throw new UnavailableFeatureException(MissingEngine.DEVICE_STREAM);
    }

    @Override
    public void setGlobalDirtyLog(boolean enable) {
        var log = guest.dirtyLog().orElseThrow(() -> new UnavailableFeatureException(
                "this guest has no dirty log: xen-set-global-dirty-log needs the guest's DirtyLog"));
        if (enable) {
            log.start();
        } else {
            log.stop();
        }
    }

    // ---- COLO and replication --------------------------------------------------------------

    @Override
    public void coloLostHeartbeat() {
        colo.requestFailover(ColoState.mode(source.get(), destination.get()));
    }

    @Override
    public ColoStatus queryColoStatus() {
        return colo.status(source.get(), destination.get());
    }

    /*
     * Block replication acts on the VM's replication block filters (QEMU's replication driver).
     * A Tern guest has none, so starting, stopping and checkpointing act on an empty set and
     * succeed, exactly as QEMU does for a VM without replication filters.
     */
    @Override
    public void setReplication(boolean enable, boolean primary, Optional<Boolean> failover) {
        Objects.requireNonNull(failover, "failover");
        if (failover.isPresent() && enable) {
            throw MigrationException.generic("Parameter 'failover' is only for stopping replication");
        }
    }

    @Override
    public ReplicationStatus queryReplicationStatus() {
        return new ReplicationStatus(false, Optional.empty());
    }

    @Override
    public void coloCheckpoint() {
        // Nothing to checkpoint: no replication filters (see setReplication).
    }

    // ---- display ---------------------------------------------------------------------------

    @Override
    public void clientMigrateInfo(String protocol, String hostname, OptionalLong port, OptionalLong tlsPort,
            Optional<String> certSubject) {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostname, "hostname");
        if (protocol.equals("spice")) {
            // Tern hosts no SPICE server, which QEMU reports exactly so when SPICE is off.
            throw MigrationException.generic("SPICE is not in use");
        }
        throw MigrationException.generic("Parameter 'protocol' expects 'spice'");
    }

    // ---- dirty rate and dirty limit --------------------------------------------------------

    @Override
    public void calcDirtyRate(long calcTime, OptionalLong samplePages, Optional<DirtyRateMeasureMode> mode) {
        dirtyRate.start(calcTime, samplePages, mode);
    }

    @Override
    public DirtyRateInfo queryDirtyRate() {
        return dirtyRate.query();
    }

    @Override
    public void setVcpuDirtyLimit(OptionalLong cpuIndex, long dirtyRate) {
        dirtyLimit.set(cpuIndex, dirtyRate);
    }

    @Override
    public void cancelVcpuDirtyLimit(OptionalLong cpuIndex) {
        dirtyLimit.cancel(cpuIndex);
    }

    @Override
    public List<DirtyLimitInfo> queryVcpuDirtyLimit() {
        return dirtyLimit.query();
    }

    // ---- snapshots -------------------------------------------------------------------------

    @Override
    public void snapshotSave(String jobId, String tag, String vmstate, List<String> devices) {
        jobs.save(jobId, tag, vmstate, devices);
    }

    @Override
    public void snapshotLoad(String jobId, String tag, String vmstate, List<String> devices) {
        jobs.load(jobId, tag, vmstate, devices);
    }

    @Override
    public void snapshotDelete(String jobId, String tag, List<String> devices) {
        jobs.delete(jobId, tag, devices);
    }

    @Override
    public List<JobInfo> queryJobs() {
        return jobs.query();
    }

    @Override
    public void dismissJob(String id) {
        jobs.dismiss(id);
    }

    boolean migrationRunning() {
        return StatusPredicates.isRunning(source.get());
    }

    RunControl runControl() {
        return run;
    }

    // ---- run control and descriptors -------------------------------------------------------

    @Override
    public RunState runState() {
        return run.state();
    }

    @Override
    public void cont() {
        run.cont();
    }

    @Override
    public void stop() {
        run.stop();
    }

    @Override
    public void addFd(String name, ByteChannel channel) {
        fds.add(name, channel);
    }

    @Override
    public void closeFd(String name) {
        fds.close(name);
    }

    // ---- observation -----------------------------------------------------------------------

    @Override
    public DirtyPageReporter vmmWrites() {
        return vmmWrites;
    }

    @Override
    public void addEventListener(MigrationEventListener listener) {
        events.addEventListener(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeEventListener(MigrationEventListener listener) {
        events.removeEventListener(listener);
    }

    @Override
    public void addStatusListener(MigrationStatusListener listener) {
        events.addStatusListener(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeStatusListener(MigrationStatusListener listener) {
        events.removeStatusListener(listener);
    }

    @Override
    public Guest guest() {
        return guest;
    }

    @Override
    public void close() {
        cancel();
        OutgoingMigration migration = outgoing;
        if (migration != null) {
            try {
                migration.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IncomingMigration in = incoming;
        if (in != null) {
            in.close();
        }
        jobs.close();
        dirtyLimit.close();
        dirtyRate.close();
        fds.close();
    }

    @Override
    public String toString() {
        return "TernVm[" + guest.machineType() + ", " + run.state().qapiName() + "]";
    }
}
