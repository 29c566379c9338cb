package dev.tern.api;

import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.event.Side;
import dev.tern.api.info.MigrationInfo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A fluent way to run one migration over a {@link MigrationControl}: set capabilities and
 * parameters, add listeners, then start it outgoing ({@link #migrate}) or incoming
 * ({@link #listen}).
 *
 * {@snippet :
 * MigrationHandle h = MigrationSession.on(vm)
 *         .capability(MigrationCapability.EVENTS, true)
 *         .parameters(p -> p.downtimeLimit(100).maxBandwidth(1L << 30))
 *         .listener(event -> System.out.println(event))
 *         .migrate("tcp:127.0.0.1:4444");
 * MigrationInfo done = h.completion().join();
 * }
 */
public final class MigrationSession {
    private static final Set<MigrationStatus> SOURCE_ENDS =
            EnumSet.of(MigrationStatus.COMPLETED, MigrationStatus.FAILED, MigrationStatus.CANCELLED);

    private final MigrationControl control;
    private final List<MigrationCapabilityStatus> capabilities = new ArrayList<>();
    private MigrateSetParameters.Builder parameters;
    private final List<MigrationEventListener> listeners = new ArrayList<>();

    private MigrationSession(MigrationControl control) {
        this.control = Objects.requireNonNull(control, "control");
    }

    /**
     * Starts a session on a VM.
     *
     * @param control the VM's control object
     * @return the session builder
     */
    public static MigrationSession on(MigrationControl control) {
        return new MigrationSession(control);
    }

    /**
     * Turns a capability on or off (applied together with the others, as one
     * {@code migrate-set-capabilities}).
     *
     * @param capability the capability
     * @param state its new state
     * @return this session
     */
    public MigrationSession capability(MigrationCapability capability, boolean state) {
        capabilities.add(new MigrationCapabilityStatus(capability, state));
        return this;
    }

    /**
     * Sets parameters (applied as one {@code migrate-set-parameters}).
     *
     * @param change edits a parameter builder
     * @return this session
     */
    public MigrationSession parameters(UnaryOperator<MigrateSetParameters.Builder> change) {
        parameters = change.apply(parameters == null ? MigrateSetParameters.builder() : parameters);
        return this;
    }

    /**
     * Adds an event listener; it stays registered on the VM.
     *
     * @param listener the listener
     * @return this session
     */
    public MigrationSession listener(MigrationEventListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Applies the settings and starts the outgoing migration ({@code migrate}).
     *
     * @param uri the destination
     * @return the handle
     * @throws MigrationException if a setting or the start is refused
     */
    public MigrationHandle migrate(String uri) {
        return start(Side.SOURCE, control::migrate, uri);
    }

    /**
     * Applies the settings and starts listening for the incoming migration
     * ({@code migrate-incoming}).
     *
     * @param uri where to listen
     * @return the handle
     * @throws MigrationException if a setting or the listen is refused
     */
    public MigrationHandle listen(String uri) {
        return start(Side.DESTINATION, control::migrateIncoming, uri);
    }

    private MigrationHandle start(Side side, Consumer<String> command, String uri) {
        Handle handle = prepare(side);
        try {
            command.accept(uri);
        } catch (RuntimeException e) {
            control.removeStatusListener(handle);
            throw e;
        }
        return handle;
    }

    private Handle prepare(Side side) {
        if (!capabilities.isEmpty()) {
            control.setCapabilities(capabilities);
        }
        if (parameters != null) {
            control.setParameters(parameters.build());
        }
        listeners.forEach(control::addEventListener);
        Handle handle = new Handle(control, side);
        control.addStatusListener(handle);
        return handle;
    }

    private static final class Handle implements MigrationHandle, MigrationStatusListener {
        private final MigrationControl control;
        private final Side side;
        private final CompletableFuture<MigrationInfo> completion = new CompletableFuture<>();

        Handle(MigrationControl control, Side side) {
            this.control = control;
            this.side = side;
        }

        @Override
        public void statusChanged(Side changed, MigrationStatus from, MigrationStatus to) {
            if (changed != side || !SOURCE_ENDS.contains(to)) {
                return;
            }
            control.removeStatusListener(this);
            MigrationInfo info = control.queryMigrate();
            switch (to) {
                case COMPLETED -> completion.complete(info);
                case CANCELLED -> completion.completeExceptionally(new CancellationException("migration cancelled"));
                default -> completion.completeExceptionally(MigrationException.generic(
                        info.errorDesc().orElse("migration failed")));
            }
        }

        @Override
        public Side side() {
            return side;
        }

        @Override
        public MigrationInfo query() {
            return control.queryMigrate();
        }

        @Override
        public void cancel() {
            if (side == Side.SOURCE) {
                control.cancel();
            }
        }

        @Override
        public CompletableFuture<MigrationInfo> completion() {
            return completion;
        }
    }
}
