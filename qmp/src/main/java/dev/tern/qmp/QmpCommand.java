package dev.tern.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One QMP command: its name, whether it may run out of band, and what it does.
 *
 * @param name the command name
 * @param allowOob whether the schema marks it {@code allow-oob}
 * @param handler runs it
 */
record QmpCommand(String name, boolean allowOob, Handler handler) {

    /** Runs a command. */
    @FunctionalInterface
    interface Handler {
        /**
         * Decodes the arguments, runs the command and encodes its return value.
         *
         * @param session the session the command came in on
         * @param arguments the {@code arguments} object ({@code {}} when absent)
         * @return the {@code return} value ({@code {}} for commands that return nothing)
         * @throws dev.tern.api.MigrationException if the arguments or the command fail
         */
        JsonNode run(QmpSession session, ObjectNode arguments);
    }
}
