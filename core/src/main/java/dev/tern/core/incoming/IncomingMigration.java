package dev.tern.core.incoming;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.Guest;
import dev.tern.api.info.SocketAddress;
import dev.tern.core.compress.DecompressPool;
import dev.tern.core.device.DeviceSectionCodec;
import dev.tern.core.device.GlobalStateSection;
import dev.tern.core.device.TimerSection;
import dev.tern.core.multifd.MultifdReceiver;
import dev.tern.core.state.StatusCell;
import dev.tern.core.stream.CommandCodec;
import dev.tern.core.stream.Configuration;
import dev.tern.core.stream.MigCommand;
import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.ReturnPathCodec;
import dev.tern.core.stream.SectionTable;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamLoader;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.vm.RunControl;
import dev.tern.core.vm.Uninterruptibly;
import dev.tern.transport.MigrationChannel;
import dev.tern.transport.MigrationListener;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One incoming migration ({@code process_incoming_migration_co}, spec 5.8): accepts the source's
 * connection, loads the stream straight into guest RAM and the device sections, and only when
 * the whole stream arrived and checked out starts the guest (if it should run). A failure leaves
 * the guest stopped — a destination never runs a guest from a partial or corrupt stream.
 */
public final class IncomingMigration {
    private static final System.Logger LOG = System.getLogger(IncomingMigration.class.getName());
    private static final String RAM_IDSTR = "ram";
    private static final int RAM_VERSION = 4;
    private static final int RAM_PAGE_SIZE = 4096;

    private final Guest guest;
    private final Supplier<Set<MigrationCapability>> currentCapabilities;
    private final Supplier<MigrationParameters> currentParameters;
    private final StatusCell destination;
    private final RunControl run;
    private final MigrationListener listener;
    private final List<SocketAddress> addresses;
    private final Consumer<String> error;
    private final Thread thread;

    private volatile MigrationChannel channel;
    /** The multifd channels while the destination has the capability on. */
    private volatile MultifdReceiver multifd;
    private volatile boolean closed;
    private StreamWriter returnPath;

    /**
     * Prepares the incoming side on a listener that is already listening.
     *
     * @param guest the VM to load into
     * @param capabilities reads the destination's capabilities; read when the source connects,
     *     as QEMU reads them while loading (a client may set them after {@code migrate-incoming})
     * @param parameters reads the destination's parameters ({@code decompress-threads},
     *     {@code multifd-channels} and {@code multifd-compression}), when the source connects
     * @param destination the destination status
     * @param run the VM's run state
     * @param listener the listener
     * @param error records the failure's message
     */
    public IncomingMigration(Guest guest, Supplier<Set<MigrationCapability>> capabilities,
            Supplier<MigrationParameters> parameters, StatusCell destination, RunControl run,
            MigrationListener listener, Consumer<String> error) {
        this.guest = Objects.requireNonNull(guest, "guest");
        this.currentCapabilities = Objects.requireNonNull(capabilities, "capabilities");
        this.currentParameters = Objects.requireNonNull(parameters, "parameters");
        this.destination = destination;
        this.run = run;
        this.listener = listener;
        this.addresses = List.copyOf(listener.addresses());
        this.error = error;
        this.thread = Thread.ofPlatform().name("tern-incoming").daemon().unstarted(this::run);
    }

    /** Starts waiting for the source. */
    public void start() {
        thread.start();
    }

    /**
     * The listening addresses, for {@code query-migrate}'s {@code socket-address}.
     *
     * @return the addresses (empty for fd, exec and file)
     */
    public List<SocketAddress> addresses() {
        return addresses;
    }

    private void run() {
        try {
            MigrationChannel c = listener.accept();
            channel = c;
            Set<MigrationCapability> capabilities = Set.copyOf(currentCapabilities.get());
            if (!capabilities.contains(MigrationCapability.MULTIFD)) {
                closeListener();
            }
            if (closed) {
                return;
            }
            if (!destination.compareAndSet(MigrationStatus.NONE, MigrationStatus.ACTIVE)) {
                return;
            }
            if (capabilities.contains(MigrationCapability.MULTIFD)) {
                acceptMultifd(c);
            }
            load(c, capabilities);
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                MultifdReceiver m = multifd;
                // A multifd channel's failure shut the main channel down: its error is the cause.
                fail(m != null && m.error().isPresent() ? m.error().get() : e);
            }
        } finally {
            closeListener();
            MultifdReceiver m = multifd;
            if (m != null) {
                m.close();
            }
            closeChannel();
        }
    }

    /**
     * Spec 8.4: the connections after the main one are the multifd channels; loading starts
     * only when all of them are connected and their initial packets checked.
     */
    private void acceptMultifd(MigrationChannel main) throws IOException {
        MigrationParameters p = currentParameters.get();
        MultifdReceiver m = new MultifdReceiver(p.multifdChannels().orElse(2),
                p.multifdCompression().orElse(MultiFdCompression.NONE), guest.ramBlocks(), guest.uuid(),
                RAM_PAGE_SIZE, main::shutdown);
        multifd = m;
        if (closed) {
            m.shutdown();
        }
        m.acceptAll(listener);
        closeListener();
    }

    private void load(MigrationChannel c, Set<MigrationCapability> capabilities) throws IOException {
        if (!capabilities.contains(MigrationCapability.COMPRESS)) {
            finish(load(c, capabilities, RamLoadOptions.PRECOPY));
            return;
        }
        // compress_threads_load_setup; the threads end with the load, whatever its outcome, and
        // before the status says completed.
        int threads = currentParameters.get().decompressThreads().orElse(2);
        Optional<RunState> received;
        try (DecompressPool decompress = new DecompressPool(threads, RamLoadOptions.PRECOPY.targetPageSize())) {
            received = load(c, capabilities, RamLoadOptions.PRECOPY.withCompress(true).withDecoder(decompress));
        }
        finish(received);
    }

    /** Loads the whole stream; returns the run state the source's globalstate asked for. */
    private Optional<RunState> load(MigrationChannel c, Set<MigrationCapability> capabilities,
            RamLoadOptions options) throws IOException {
        StreamReader in = new StreamReader(c);
        RamRecordReader ram = new RamRecordReader(in, guest.ramBlocks(),
                options.withIgnoreShared(capabilities.contains(MigrationCapability.X_IGNORE_SHARED)));
        GlobalStateSection globalState = new GlobalStateSection();
        SectionTable<StreamLoader.SectionHandler> sections = new SectionTable<>();
        sections.register(RAM_IDSTR, 0, RAM_VERSION, (r, header, version) -> {
            // QEMU's ram_load accepts exactly version 4; an older one is refused, not guessed at.
            if (version != RAM_VERSION) {
                throw new StreamFormatException("RAM section version " + version + " is not " + RAM_VERSION);
            }
            ram.loadSection();
            MultifdReceiver m = multifd;
            if (m != null) {
                // Every page of this iteration is in guest memory before the stream goes on.
                m.syncMain();
            }
        });
        sections.register(GlobalStateSection.IDSTR, 0, GlobalStateSection.VERSION,
                DeviceSectionCodec.handler(globalState));
        sections.register(TimerSection.IDSTR, 0, TimerSection.VERSION, DeviceSectionCodec.handler(new TimerSection()));
        for (DeviceSection device : guest.devices()) {
            sections.register(device.idstr(), device.instanceId(), device.versionId(), DeviceSectionCodec.handler(device));
        }
        StreamLoader loader = new StreamLoader(in, sections, (r, command) -> command(r, command, c, capabilities));
        loader.loadPrologue(Configuration.local(guest.machineType(), capabilities, guest.uuid()))
                .forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        if (loader.loadRecords() != StreamLoader.Outcome.EOF) {
            throw new StreamFormatException("the stream stopped before its EOF record");
        }
        loader.discardVmDescription().ifPresent(w -> LOG.log(System.Logger.Level.WARNING, w));
        return globalState.received();
    }

    /** Spec 5.8 on success: the run state the source had, the guest started only if it should run. */
    private void finish(Optional<RunState> received) {
        RunState state = received.orElse(RunState.RUNNING);
        if (state == RunState.RUNNING && run.autostart()) {
            run.start();
        } else {
            run.set(state == RunState.RUNNING ? RunState.PAUSED : state);
        }
        destination.compareAndSet(MigrationStatus.ACTIVE, MigrationStatus.COMPLETED);
        sendShut(0);
    }

    private boolean command(StreamReader in, CommandCodec.Command command, MigrationChannel c,
            Set<MigrationCapability> capabilities) throws IOException {
        MigCommand cmd = command.command();
        switch (cmd) {
            case OPEN_RETURN_PATH -> {
                if (returnPath == null) {
                    returnPath = new StreamWriter(c);
                }
            }
            case PING -> {
                int value = CommandCodec.readPing(in);
                if (returnPath == null) {
                    throw StreamFormatException.pingWithoutReturnPath(value);
                }
                ReturnPathCodec.writePong(returnPath, value);
                returnPath.flush();
            }
            case POSTCOPY_ADVISE -> CommandCodec.readPostcopyAdvise(in, command.length(),
                    capabilities.contains(MigrationCapability.POSTCOPY_RAM));
            default -> throw new StreamFormatException("the source sent " + cmd
                    + ", which needs postcopy or COLO: both are missing from this Tern build");
        }
        return false;
    }

    private void fail(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        error.accept(message);
        destination.compareAndSet(MigrationStatus.ACTIVE, MigrationStatus.FAILED);
        sendShut(1);
        LOG.log(System.Logger.Level.INFO, "incoming migration failed: {0}", message);
    }

    private void sendShut(int status) {
        StreamWriter rp = returnPath;
        if (rp != null) {
            ReturnPathCodec.writeShut(rp, status);
            rp.flush();
        }
    }

    /** Stops waiting or loading: the thread ends and everything is closed. */
    public void close() {
        closed = true;
        closeListener();
        MigrationChannel c = channel;
        if (c != null) {
            c.shutdown();
        }
        MultifdReceiver m = multifd;
        if (m != null) {
            m.shutdown();
        }
        Uninterruptibly.join(thread);
    }

    private void closeListener() {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the listener failed", e);
        }
    }

    private void closeChannel() {
        MigrationChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the incoming channel failed", e);
            }
        }
    }
}
