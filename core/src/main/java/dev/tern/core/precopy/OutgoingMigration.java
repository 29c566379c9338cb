package dev.tern.core.precopy;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MigrationStatus;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.VcpuControl;
import dev.tern.core.compress.CompressPool;
import dev.tern.core.device.DeviceSectionCodec;
import dev.tern.core.device.GlobalStateSection;
import dev.tern.core.multifd.MultifdSender;
import dev.tern.core.ram.RamSaver;
import dev.tern.core.state.SwitchoverPause;
import dev.tern.core.stats.TransferPhase;
import dev.tern.core.stream.CommandCodec;
import dev.tern.core.stream.Configuration;
import dev.tern.core.stream.ConfigurationCodec;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.SectionFraming;
import dev.tern.core.stream.StreamHeader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.VmDescription;
import dev.tern.transport.MigrationChannel;
import dev.tern.transport.Transports;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One outgoing precopy migration on its own thread ({@code migration_thread}, spec 5): connect,
 * setup, the iteration loop with lazy dirty syncs, bandwidth windows and the rate limit, the
 * completion with the guest stopped, and a cleanup that leaves the source guest running with
 * nothing lost whenever the migration does not complete.
 */
public final class OutgoingMigration {
    private static final System.Logger LOG = System.getLogger(OutgoingMigration.class.getName());
    /** QEMU's RAM section: id string, instance and version. */
    static final String RAM_IDSTR = "ram";
    static final int RAM_VERSION = 4;
    /**
     * Section ids are the sender's registration indices; Tern registers RAM first, but counts
     * from 1: a QEMU destination resolves PART/END by {@code load_section_id}, which is 0 in every
     * handler that got no START/FULL, so RAM PARTs with id 0 would reach its first handler
     * ({@code timer}: "timer: incoming version_id 0 is too old for local minimum version_id 1").
     */
    private static final int RAM_SECTION_ID = 1;

    private final SourceContext ctx;
    private final MigrationUri target;
    private final TransferWindow window = new TransferWindow();
    private final SyncPeriod period = new SyncPeriod();
    private final AutoConverge autoConverge = new AutoConverge();
    private final RamSaver ram;
    private final Thread thread;
    private final Object channelLock = new Object();

    private volatile MigrationChannel channel;
    /** The multifd channels while the capability is on; set under {@link #channelLock}. */
    private volatile MultifdSender multifd;
    private volatile boolean shutdown;
    private StreamWriter out;
    private RamRecordWriter records;
    private ReturnPathReader returnPath;
    /** The XBZRLE rates' period baselines, while the capability is on. */
    private XbzrleRates xbzrleRates;
    /** The compression rates' period baselines, while the capability is on. */
    private CompressRates compressRates;
    private boolean vmStoppedByUs;
    private long remainingAtLastSync;
    /** Set once this migration moved to completed; it then leaves the status alone. */
    private boolean completed;
    /** The error this migration failed with; the move to failed waits until the cleanup is done. */
    private String failure;

    /**
     * Prepares a migration; {@link #start()} runs it.
     *
     * @param ctx the VM's side of the migration
     * @param target where to migrate
     * @param log the guest's dirty log
     */
    public OutgoingMigration(SourceContext ctx, MigrationUri target, DirtyLog log) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.target = Objects.requireNonNull(target, "target");
        this.ram = new RamSaver(ctx.guest().ramBlocks(), ctx.on(MigrationCapability.X_IGNORE_SHARED), log,
                ctx.vmmWrites(), ctx.counters());
        this.thread = Thread.ofPlatform().name("tern-migration").daemon().unstarted(this::run);
    }

    /** Starts the migration thread. */
    public void start() {
        thread.start();
    }

    /**
     * Pages still to send ({@code ram.remaining} / page size).
     *
     * @return the count
     */
    public long remainingPages() {
        return ram.remainingPages();
    }

    /**
     * {@code ram.total}.
     *
     * @return bytes
     */
    public long totalBytes() {
        return ram.totalBytes();
    }

    /**
     * {@code migrate-set-parameters} during the migration: a new {@code max-bandwidth} applies to
     * the current window at once (outside the completion, which runs unlimited); a new
     * {@code xbzrle-cache-size} resizes the XBZRLE cache at the next iteration (QEMU 7.2 keeps
     * the old cache, spec 3.2; Tern makes the change real).
     *
     * @param parameters the new parameters
     * @throws dev.tern.api.ParameterException if the XBZRLE cache cannot have the new size
     */
    public void parametersChanged(MigrationParameters parameters) {
        if (ctx.source().get() == MigrationStatus.ACTIVE) {
            parameters.maxBandwidth().ifPresent(window::setMaxBandwidth);
        }
        parameters.xbzrleCacheSize().ifPresent(ram::requestXbzrleCacheSize);
        parameters.compressWaitThread().ifPresent(ram::compressWaitThread);
    }

    /**
     * {@code migrate_cancel}'s I/O part: shuts the channel down so the thread, wherever it is
     * blocked, sees a failed stream and leaves. The status has been moved to cancelling already.
     */
    public void shutdown() {
        shutdown = true;
        synchronized (channelLock) {
            MigrationChannel c = channel;
            if (c != null) {
                c.shutdown();
            }
            MultifdSender m = multifd;
            if (m != null) {
                m.shutdown();
            }
        }
    }

    /**
     * Waits for the thread to end.
     *
     * @param millis how long to wait at most
     * @return true if it ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(long millis) throws InterruptedException {
        return thread.join(java.time.Duration.ofMillis(millis));
    }

    // ---- the thread ------------------------------------------------------------------------

    private void run() {
        try {
            if (!connect()) {
                return;
            }
            setup();
            if (!ctx.source().compareAndSet(MigrationStatus.SETUP, MigrationStatus.ACTIVE)) {
                return; // cancelled while setting up
            }
            ctx.counters().setSetupTime(ctx.clock().millis() - ctx.counters().startTime());
            iterate();
        } catch (IOException | RuntimeException e) {
            fail(describe(e));
        } finally {
            cleanup();
        }
    }

    private boolean connect() {
        try {
            MigrationChannel c = Transports.connect(target, ctx.fds());
            synchronized (channelLock) {
                channel = c;
                if (shutdown) {
                    c.shutdown();
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(describe(e));
            return false;
        }
        out = new StreamWriter(channel);
        records = new RamRecordWriter(out);
        MigrationParameters p = ctx.parameters().get();
        window.setMaxBandwidth(p.maxBandwidth().orElse(0));
        ctx.counters().setExpectedDowntime(p.downtimeLimit().orElse(0));
        return true;
    }

    /** Spec 5.2: header, configuration, return path, the RAM setup section. */
    private void setup() throws IOException {
        StreamHeader.write(out);
        ConfigurationCodec.write(out, Configuration.outgoing(ctx.guest().machineType(), ctx.capabilities(),
                ctx.guest().uuid()));
        if (ctx.on(MigrationCapability.RETURN_PATH)) {
            CommandCodec.writeOpenReturnPath(out);
            CommandCodec.writePing(out, 1);
            out.flush();
            returnPath = ReturnPathReader.start(channel);
        }
        startMultifd();
        SectionFraming.writeStart(out, RAM_SECTION_ID, RAM_IDSTR, 0, RAM_VERSION);
        setupXbzrle();
        setupCompress();
        ram.startLogging();
        syncDirtyLog();
        records.writeBlockList(ram.blockList(), ctx.on(MigrationCapability.POSTCOPY_RAM), RamSaver.PAGE_SIZE,
                ctx.on(MigrationCapability.X_IGNORE_SHARED));
        syncMultifd();
        records.writeEos();
        SectionFraming.writeFooter(out, RAM_SECTION_ID);
        out.flush();
        checkStream();
        window.start(ctx.clock().millis(), transferred(), rateLimitedBytes(), pagesSent());
    }

    /**
     * {@code multifd_save_setup} and the channel connections (spec 8.4): once the main channel
     * carries the header, {@code multifd-channels} more connections to the same address, each
     * with its own sender thread. Non-zero pages go to them from now on.
     */
    private void startMultifd() throws IOException {
        if (!ctx.on(MigrationCapability.MULTIFD)) {
            return;
        }
        MigrationParameters p = ctx.parameters().get();
        MultiFdCompression method = p.multifdCompression().orElse(MultiFdCompression.NONE);
        int level = switch (method) {
            case ZLIB -> p.multifdZlibLevel().orElse(1);
            case ZSTD -> p.multifdZstdLevel().orElse(1);
            case NONE -> 0;
        };
        MultifdSender sender = MultifdSender.start(() -> Transports.connect(target, ctx.fds()),
                p.multifdChannels().orElse(2), method, level, ctx.on(MigrationCapability.ZERO_COPY_SEND),
                ram.migratedBlocks(), ctx.guest().uuid(), RamSaver.PAGE_SIZE, ctx.counters());
        synchronized (channelLock) {
            multifd = sender;
            if (shutdown) {
                sender.shutdown();
            }
        }
        ram.useMultifd(sender);
    }

    /** {@code multifd_send_sync_main}: before every RAM EOS, every page queued so far is on its channel. */
    private void syncMultifd() throws IOException {
        MultifdSender m = multifd;
        if (m != null) {
            m.sync();
        }
    }

    /**
     * {@code xbzrle_init}: the cache, with the current {@code xbzrle-cache-size}. QEMU never
     * combines XBZRLE with multifd (pages go to the channels first), so the cache is not made then.
     */
    private void setupXbzrle() {
        if (!ctx.on(MigrationCapability.XBZRLE)) {
            return;
        }
        xbzrleRates = new XbzrleRates(ctx.counters(), RamSaver.PAGE_SIZE, ram.pagesWritten());
        if (ctx.on(MigrationCapability.MULTIFD)) {
            return;
        }
        ram.enableXbzrle(ctx.parameters().get().xbzrleCacheSize().orElseThrow());
        // A migrate-set-parameters between that read and the cache's publication found no cache to resize.
        ram.requestXbzrleCacheSize(ctx.parameters().get().xbzrleCacheSize().orElseThrow());
    }

    /**
     * {@code compress_threads_save_setup}: the compression threads, with the current
     * {@code compress-threads}, {@code compress-level} and {@code compress-wait-thread}.
     */
    private void setupCompress() {
        if (!ctx.on(MigrationCapability.COMPRESS)) {
            return;
        }
        MigrationParameters p = ctx.parameters().get();
        compressRates = new CompressRates(ctx.counters(), RamSaver.PAGE_SIZE, ram.pagesWritten());
        ram.enableCompress(new CompressPool(p.compressThreads().orElse(8), p.compressLevel().orElse(1),
                p.compressWaitThread().orElse(true), RamSaver.PAGE_SIZE, ctx.counters()));
        // A migrate-set-parameters between that read and the pool's publication found no pool.
        ram.compressWaitThread(ctx.parameters().get().compressWaitThread().orElse(true));
    }

    /** Spec 5.3: the loop that runs while the migration is active. */
    private void iterate() throws IOException {
        boolean urgent = false;
        while (ctx.source().get() == MigrationStatus.ACTIVE) {
            if (urgent || !window.limited(rateLimitedBytes())) {
                if (iterationRun()) {
                    return;
                }
            }
            checkStream();
            urgent = rateLimitWait();
        }
    }

    /**
     * QEMU's {@code migration_iteration_run}: measure pending data (syncing when it drops below
     * the threshold), then either send one iteration or complete.
     *
     * @return true once the migration finished (completed, failed or cancelled)
     */
    private boolean iterationRun() throws IOException {
        long threshold = window.threshold();
        long pending = ram.remainingPages() * RamSaver.PAGE_SIZE;
        if (pending < threshold) {
            syncDirtyLog();
            pending = ram.remainingPages() * RamSaver.PAGE_SIZE;
        }
        if (pending >= threshold && pending > 0) {
            // Between iterations nothing of the cache is in flight: the last one flushed.
            ram.applyXbzrleCacheSize();
            SectionFraming.writePart(out, RAM_SECTION_ID);
            ram.iterate(records, () -> !window.limited(rateLimitedBytes()));
            syncMultifd();
            // The EOS of an iteration counts in transferred; setup's and completion's do not.
            ctx.counters().addRamBytes(TransferPhase.PRECOPY, records.writeEos());
            SectionFraming.writeFooter(out, RAM_SECTION_ID);
            out.flush();
            return false;
        }
        complete();
        return true;
    }

    /** QEMU's {@code migration_rate_limit}: closes windows, and sleeps while over budget. */
    private boolean rateLimitWait() {
        long now = ctx.clock().millis();
        MigrationParameters p = ctx.parameters().get();
        TransferWindow.Closed closed = window.update(now, transferred(), rateLimitedBytes(), pagesSent(),
                p.downtimeLimit().orElse(0));
        if (closed != null) {
            ctx.counters().setMbps(closed.mbps());
            ctx.counters().setPagesPerSecond(closed.pagesPerSecond());
            long expected = TransferWindow.expectedDowntime(closed, ctx.counters().snapshot().ram().dirtyPagesRate(),
                    remainingAtLastSync);
            if (expected >= 0) {
                ctx.counters().setExpectedDowntime(expected);
            }
            // A new max-bandwidth applies from the next window as well (setMaxBandwidth did the current one).
            window.setMaxBandwidth(p.maxBandwidth().orElse(0));
        }
        if (window.limited(rateLimitedBytes())) {
            long sleep = window.millisToWindowEnd(now);
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("migration thread interrupted", e);
                }
            }
        }
        return false;
    }

    /** {@code migration_bitmap_sync}: the sync and its bookkeeping (spec 5.3, 6.1). */
    private void syncDirtyLog() {
        long newlyDirty = ram.sync();
        long pass = ctx.counters().incrementDirtySyncCount();
        remainingAtLastSync = ram.remainingPages() * RamSaver.PAGE_SIZE;
        SyncPeriod.Closed closed = period.sync(ctx.clock().millis(), newlyDirty, ctx.counters().transferred());
        if (closed != null) {
            ctx.counters().setDirtyPagesRate(closed.dirtyPagesRate());
            if (ctx.on(MigrationCapability.AUTO_CONVERGE)) {
                throttle(closed);
            }
            if (xbzrleRates != null) {
                xbzrleRates.periodClosed(ram.pagesWritten());
            }
            if (compressRates != null) {
                compressRates.periodClosed(ram.pagesWritten());
            }
        }
        ctx.events().pass(pass);
    }

    private void throttle(SyncPeriod.Closed closed) {
        MigrationParameters p = ctx.parameters().get();
        int before = autoConverge.throttle();
        int now = autoConverge.evaluate(closed, RamSaver.PAGE_SIZE, p.throttleTriggerThreshold().orElse(50),
                p.cpuThrottleInitial().orElse(20), p.cpuThrottleIncrement().orElse(10), p.maxCpuThrottle().orElse(99),
                p.cpuThrottleTailslow().orElse(false));
        if (now != before) {
            Optional<VcpuControl> vcpus = ctx.guest().vcpus();
            vcpus.ifPresent(v -> v.setThrottle(now));
            ctx.counters().setCpuThrottlePercentage(now);
        }
    }

    /** Spec 5.6: stop the guest, final sync, remaining pages, device state, EOF. */
    private void complete() throws IOException {
        ctx.counters().markDowntimeStart();
        // QEMU stores the global state (the run state before the stop) for the destination.
        RunState before = ctx.run().state();
        vmStoppedByUs = ctx.run().stopAs(RunState.FINISH_MIGRATE);
        ram.phase(TransferPhase.DOWNTIME);
        MigrationStatus active = MigrationStatus.ACTIVE;
        if (ctx.on(MigrationCapability.PAUSE_BEFORE_SWITCHOVER)) {
            SwitchoverPause.Outcome outcome;
            try {
                outcome = ctx.pause().pause(MigrationStatus.ACTIVE, MigrationStatus.DEVICE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("migration thread interrupted", e);
            }
            if (!outcome.resumed()) {
                return; // cancelled while paused
            }
            active = outcome.activeState();
        }
        window.unlimited();
        SectionFraming.writeEnd(out, RAM_SECTION_ID);
        syncDirtyLog();
        ram.sendAll(records);
        syncMultifd();
        records.writeEos();
        SectionFraming.writeFooter(out, RAM_SECTION_ID);
        writeDevices(before);
        out.flush();
        checkStream();
        if (returnPath != null) {
            endOfStream();
            returnPath.awaitShut();
        }
        checkStream();
        // Everything the migration shares with the VM is settled before completed is visible:
        // whoever sees it may resume the guest and start the next migration at once, which a
        // later stop of the dirty log, change of run state or of the counters would break.
        ctx.counters().calculateComplete(out.bytesFlushed() + ctx.counters().multifdBytes());
        releaseGuest();
        ctx.run().set(RunState.POSTMIGRATE);
        if (ctx.source().compareAndSet(active, MigrationStatus.COMPLETED)) {
            completed = true;
            vmStoppedByUs = false;
        }
    }

    /**
     * Half-closes a socket once the whole stream is out. Without it a destination that expects
     * more (a damaged length field makes it skip gigabytes) waits for bytes that never come
     * while this side waits for its SHUT; with it the destination reads end-of-stream, fails
     * and says so. A destination that read the whole stream never reads again, so it cannot tell.
     */
    private void endOfStream() {
        channel.socket().ifPresent(socket -> {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // The return path reports what is wrong with the connection.
                LOG.log(System.Logger.Level.DEBUG, "half-closing the migration socket failed", e);
            }
        });
    }

    /** Every device as a FULL section (globalstate first, as QEMU registers it early), then EOF and the vmdesc. */
    private void writeDevices(RunState before) throws IOException {
        VmDescription description = new VmDescription(RamSaver.PAGE_SIZE);
        GlobalStateSection globalState = new GlobalStateSection();
        globalState.store(before);
        int sectionId = RAM_SECTION_ID + 1;
        DeviceSectionCodec.save(out, sectionId++, globalState, description);
        for (DeviceSection device : ctx.guest().devices()) {
            if (device.needed()) {
                DeviceSectionCodec.save(out, sectionId++, device, description);
            }
        }
        out.put8(dev.tern.core.stream.StreamHeaderDescriptor.EOF);
        description.write(out);
    }

    private void checkStream() throws IOException {
        Optional<IOException> e = out.error();
        if (e.isPresent()) {
            throw e.get();
        }
        MultifdSender m = multifd;
        if (m != null && m.error().isPresent()) {
            throw m.error().get();
        }
        if (returnPath != null) {
            returnPath.error().ifPresent(message -> {
                throw new IllegalStateException(message);
            });
        }
    }

    /** {@code transferred}: multifd bytes are in it already (addMultifdBytes adds to both). */
    private long transferred() {
        return ctx.counters().transferred();
    }

    /**
     * What the rate limit counts: bytes queued on the main channel plus bytes dispatched to
     * multifd channels ({@code qemu_file_acct_rate_limit} at each dispatch and sync).
     */
    private long rateLimitedBytes() {
        return out.bytesQueued() + ctx.counters().multifdBytes();
    }

    /** {@code ram_get_total_transferred_pages}: what pages-per-second differences. */
    private long pagesSent() {
        return ctx.counters().normalPages() + ctx.counters().duplicatePages() + ctx.counters().compressedPages()
                + ctx.counters().xbzrlePages();
    }

    /** Records the first error; {@link #cleanup()} moves to failed once the guest is whole again. */
    private void fail(String message) {
        if (shutdown && ctx.source().get() == MigrationStatus.CANCELLING) {
            return; // the cancel explains it; a failed CAS would be silent anyway
        }
        if (failure == null) {
            failure = message;
            ctx.error().accept(message);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Hands the guest back: throttle off, dirty log off. Idempotent. */
    private void releaseGuest() {
        if (autoConverge.throttle() != 0) {
            autoConverge.stop();
            ctx.guest().vcpus().ifPresent(v -> v.setThrottle(0));
            ctx.counters().setCpuThrottlePercentage(0);
        }
        ram.stopLogging();
        ram.releaseXbzrle();
        ram.releaseCompress();
    }

    /**
     * The source's cleanup ({@code migrate_fd_cleanup}): whatever happened, leave nothing
     * behind. The final failed or cancelled status is set last, so that whoever sees it finds
     * the guest running again, the channel closed and the migration's threads ending.
     */
    private void cleanup() {
        releaseGuest();
        if (returnPath != null) {
            returnPath.close();
        }
        MigrationChannel c;
        synchronized (channelLock) {
            c = channel;
            shutdown = true;
        }
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the migration channel failed", e);
            }
        }
        if (returnPath != null) {
            returnPath.join();
        }
        MultifdSender m = multifd;
        if (m != null) {
            // Every channel thread ends and every multifd socket closes before the final status.
            m.close();
        }
        if (completed) {
            return; // the status may already belong to the next migration
        }
        if (vmStoppedByUs) {
            // The completion stopped a running guest: it runs again, with every page intact.
            ctx.run().start();
        } else if (ctx.run().state() == RunState.FINISH_MIGRATE) {
            // A guest the user had stopped stays stopped, in postmigrate as QEMU leaves it.
            ctx.run().set(RunState.POSTMIGRATE);
        }
        if (failure != null) {
            for (MigrationStatus from : List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE,
                    MigrationStatus.PRE_SWITCHOVER, MigrationStatus.DEVICE)) {
                if (ctx.source().compareAndSet(from, MigrationStatus.FAILED)) {
                    LOG.log(System.Logger.Level.INFO, "outgoing migration to {0} failed: {1}",
                            c != null ? c.description() : target.scheme() + ":", failure);
                    break;
                }
            }
        }
        ctx.source().compareAndSet(MigrationStatus.CANCELLING, MigrationStatus.CANCELLED);
    }
}
