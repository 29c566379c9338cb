package dev.tern.qmp;

import dev.tern.api.MigrationControl;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs QMP commands against one VM's {@link MigrationControl}: the 29 commands of QEMU 7.2's
 * {@code migration.json} plus {@code qmp_capabilities}, {@code query-commands},
 * {@code query-version}, {@code query-status}, {@code cont}, {@code stop}, {@code query-jobs},
 * {@code job-dismiss}, {@code getfd}, {@code closefd} and, if the embedder enables it,
 * {@code quit}.
 *
 * <p>A dispatcher is shared; each client connection gets its own {@link QmpSession}, which holds
 * the negotiation state.
 *
 * {@snippet :
 * QmpDispatcher dispatcher = new QmpDispatcher(vm);
 * QmpSession session = dispatcher.newSession();
 * session.execute(QmpJson.parse("{\"execute\": \"qmp_capabilities\"}")); // {"return": {}}
 * session.execute(QmpJson.parse("{\"execute\": \"query-status\", \"id\": 1}"));
 * // {"return": {"status": "running", "singlestep": false, "running": true}, "id": 1}
 * }
 */
public final class QmpDispatcher {
    private final MigrationControl control;
    private final CommandTable negotiation;
    private final CommandTable commands;

    /**
     * A dispatcher without {@code quit}.
     *
     * @param control the VM's migration control
     */
    public QmpDispatcher(MigrationControl control) {
        this(control, Optional.empty());
    }

    /**
     * A dispatcher whose {@code quit} command runs {@code onQuit} (after which the embedder
     * should close the server and the VM, as QEMU exits).
     *
     * @param control the VM's migration control
     * @param onQuit what {@code quit} does; it runs on the connection's command thread before
     *     the reply is sent, so it must not block or close the server itself: let it signal
     *     another thread that closes the server (whose close flushes the reply) and the VM
     */
    public QmpDispatcher(MigrationControl control, Runnable onQuit) {
        this(control, Optional.of(Objects.requireNonNull(onQuit, "onQuit")));
    }

    private QmpDispatcher(MigrationControl control, Optional<Runnable> onQuit) {
        this.control = Objects.requireNonNull(control, "control");
        this.negotiation = ControlCommands.negotiation();
        CommandTable.Builder table = CommandTable.builder();
        MigrationCommands.register(table, control);
        ControlCommands.register(table, control, onQuit);
        this.commands = table.build();
    }

    /**
     * Starts the session of a new client, in capabilities-negotiation mode.
     *
     * @return the session
     */
    public QmpSession newSession() {
        return new QmpSession(this);
    }

    /**
     * The commands available after negotiation, as {@code query-commands} lists them.
     *
     * @return the command names
     */
    public List<String> commandNames() {
        return commands.names();
    }

    /**
     * The VM this dispatcher controls.
     *
     * @return its migration control
     */
    public MigrationControl control() {
        return control;
    }

    CommandTable table(boolean negotiated) {
        return negotiated ? commands : negotiation;
    }
}
