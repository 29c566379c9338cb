package dev.tern.qmp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.qmp.json.QmpJson;
import java.io.IOException;

/**
 * A VM the demo drives with QMP commands: in this process through a {@link dev.tern.qmp.QmpSession},
 * or in another through its socket. Either way the replies are exactly what a QMP client reads.
 */
interface QmpPeer extends AutoCloseable {
    /**
     * Runs a command.
     *
     * @param command the command name, for example {@code query-migrate}
     * @param arguments its arguments, or an empty object
     * @return the reply's {@code return} value
     * @throws QmpErrorReply if the reply is an error
     * @throws IOException if the VM cannot be reached
     */
    JsonNode execute(String command, ObjectNode arguments) throws IOException;

    /**
     * Runs a command without arguments.
     *
     * @param command the command name
     * @return the reply's {@code return} value
     * @throws QmpErrorReply if the reply is an error
     * @throws IOException if the VM cannot be reached
     */
    default JsonNode execute(String command) throws IOException {
        return execute(command, QmpJson.object());
    }

    /**
     * Says which VM this is, for messages.
     *
     * @return for example {@code source}
     */
    String name();

    /**
     * Builds a request.
     *
     * @param command the command name
     * @param arguments the arguments; omitted when empty
     * @return {@code {"execute": command, "arguments": ...}}
     */
    static ObjectNode request(String command, ObjectNode arguments) {
        ObjectNode request = QmpJson.object().put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", arguments);
        }
        return request;
    }

    /**
     * The {@code return} of a reply, or the error it carries.
     *
     * @param peer the VM that replied
     * @param command the command, for the error
     * @param reply the reply
     * @return the {@code return} value
     * @throws QmpErrorReply if the reply is an error
     */
    static JsonNode result(String peer, String command, JsonNode reply) throws QmpErrorReply {
        if (reply.has("error")) {
            JsonNode error = reply.get("error");
            throw new QmpErrorReply(peer, command, error.path("class").asText(), error.path("desc").asText());
        }
        return reply.path("return");
    }

    /** Disconnects; does not stop the VM. */
    @Override
    void close() throws IOException;
}
