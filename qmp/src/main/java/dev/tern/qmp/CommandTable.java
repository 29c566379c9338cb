package dev.tern.qmp;

import dev.tern.qmp.codec.QapiCodec;
import dev.tern.qmp.command.CommandArguments;
import dev.tern.qmp.json.QmpJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The commands a dispatcher knows, in registration order. Every command reads its arguments
 * with the generic codec, so argument errors are QEMU's whatever the command.
 */
final class CommandTable {
    private final Map<String, QmpCommand> commands;

    private CommandTable(Map<String, QmpCommand> commands) {
        this.commands = Collections.unmodifiableMap(commands);
    }

    Optional<QmpCommand> find(String name) {
        return Optional.ofNullable(commands.get(name));
    }

    List<String> names() {
        return List.copyOf(commands.keySet());
    }

    static Builder builder() {
        return new Builder();
    }

    /** Registers commands; a name may be registered once. */
    static final class Builder {
        private final Map<String, QmpCommand> commands = new LinkedHashMap<>();

        Builder add(QmpCommand command) {
            if (commands.putIfAbsent(command.name(), command) != null) {
                throw new IllegalArgumentException("command " + command.name() + " registered twice");
            }
            return this;
        }

        /** A command without arguments or return value. */
        Builder action(String name, Runnable action) {
            return action(name, false, action);
        }

        /** A command without arguments or return value, possibly allowed out of band. */
        Builder action(String name, boolean allowOob, Runnable action) {
            return add(new QmpCommand(name, allowOob, (session, args) -> {
                QapiCodec.decode(CommandArguments.None.class, args);
                action.run();
                return QmpJson.object();
            }));
        }

        /** A command without arguments that returns a value. */
        Builder query(String name, Supplier<?> query) {
            return add(new QmpCommand(name, false, (session, args) -> {
                QapiCodec.decode(CommandArguments.None.class, args);
                return QapiCodec.encode(query.get());
            }));
        }

        /** A command with arguments and no return value. */
        <A> Builder command(String name, Class<A> arguments, Consumer<A> action) {
            return command(name, false, arguments, action);
        }

        /** A command with arguments and no return value, possibly allowed out of band. */
        <A> Builder command(String name, boolean allowOob, Class<A> arguments, Consumer<A> action) {
            return add(new QmpCommand(name, allowOob, (session, args) -> {
                action.accept(QapiCodec.decode(arguments, args));
                return QmpJson.object();
            }));
        }

        CommandTable build() {
            return new CommandTable(new LinkedHashMap<>(commands));
        }
    }
}
