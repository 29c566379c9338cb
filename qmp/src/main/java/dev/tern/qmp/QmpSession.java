package dev.tern.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;
import dev.tern.qmp.command.QmpCapability;
import dev.tern.qmp.json.QmpJson;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One client's conversation with a {@link QmpDispatcher}: capabilities negotiation, then
 * commands. Turns each request object into its reply exactly as QEMU 7.2's
 * {@code qmp_dispatch} and {@code monitor_qmp_dispatch} do, including which malformed input
 * gets which error and the {@code id} echo.
 *
 * <p>Thread-safe: a server may run an out-of-band request while an in-band one is running.
 */
public final class QmpSession {
    /** The capabilities the greeting offers. */
    static final Set<QmpCapability> OFFERED = Set.of(QmpCapability.OOB);

    private static final System.Logger LOG = System.getLogger(QmpSession.class.getName());

    private final QmpDispatcher dispatcher;
    private volatile boolean negotiated;
    private volatile boolean oobEnabled;

    QmpSession(QmpDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * Runs one request and builds its reply: {@code {"return": ...}} or
     * {@code {"error": {"class": ..., "desc": ...}}}, with the request's {@code id} (any JSON
     * value) echoed when it has one. Before negotiation every command but
     * {@code qmp_capabilities} fails with {@code CommandNotFound}
     * "Expecting capabilities negotiation with 'qmp_capabilities'".
     *
     * @param request the parsed request, normally {@code {"execute": NAME, "arguments": {...},
     *     "id": ID}}; {@code "exec-oob"} instead of {@code "execute"} once the client enabled
     *     {@code oob}
     * @return the reply
     */
    public ObjectNode execute(JsonNode request) {
        if (!(request instanceof ObjectNode dict)) {
            return error(QmpErrors.notAnObject());
        }
        JsonNode id = dict.get("id");
        ObjectNode reply;
        try {
            reply = success(run(dict));
        } catch (MigrationException e) {
            reply = error(e);
        } catch (RuntimeException e) {
            // An engine bug must not take the monitor down; the client still gets an answer.
            LOG.log(System.Logger.Level.WARNING, "QMP command failed unexpectedly", e);
            reply = error(MigrationException.generic(e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        if (!negotiated && isCommandNotFound(reply)) {
            // monitor_qmp_dispatch: "Provide a more useful error message"
            ((ObjectNode) reply.get("error")).put("desc", QmpErrors.EXPECTING_NEGOTIATION);
        }
        if (id != null) {
            reply.set("id", id);
        }
        return reply;
    }

    /**
     * The reply QEMU sends for input that is not well-formed JSON. It carries no {@code id}.
     *
     * @param detail what is wrong, appended after {@code "JSON parse error, "}
     * @return the error reply
     */
    public static ObjectNode parseError(String detail) {
        return error(QmpErrors.parseError(detail));
    }

    /**
     * Whether a request is to run out of band, as QEMU decides before dispatching: it has
     * {@code exec-oob} and no {@code execute}. Such a request is not queued behind in-band
     * ones; if the client did not enable {@code oob}, it fails at once with
     * "QMP input member 'exec-oob' is unexpected".
     *
     * @param request the parsed request
     * @return true if it must run at once
     */
    public static boolean isOutOfBand(JsonNode request) {
        return request instanceof ObjectNode dict && dict.has("exec-oob") && !dict.has("execute");
    }

    /**
     * Whether {@code qmp_capabilities} has completed.
     *
     * @return true after negotiation
     */
    public boolean negotiated() {
        return negotiated;
    }

    /**
     * Whether the client enabled the {@code oob} capability.
     *
     * @return true if {@code exec-oob} is allowed
     */
    public boolean oobEnabled() {
        return oobEnabled;
    }

    /**
     * The dispatcher this session belongs to.
     *
     * @return the dispatcher
     */
    public QmpDispatcher dispatcher() {
        return dispatcher;
    }

    void completeNegotiation(boolean oob) {
        oobEnabled = oob;
        negotiated = true;
    }

    private JsonNode run(ObjectNode dict) {
        boolean allowOob = oobEnabled;
        String execKey = checkObject(dict, allowOob);
        String name = dict.get(execKey).textValue();
        boolean oob = execKey.equals("exec-oob");
        QmpCommand command = dispatcher.table(negotiated).find(name)
                .orElseThrow(() -> QmpErrors.commandNotFound(name));
        if (oob && !command.allowOob()) {
            throw QmpErrors.noOutOfBand(name);
        }
        JsonNode arguments = dict.get("arguments");
        return command.handler().run(this, arguments != null ? (ObjectNode) arguments : QmpJson.object());
    }

    /** {@code qmp_dispatch_check_obj}, walking the members in input order. */
    private static String checkObject(ObjectNode dict, boolean allowOob) {
        String execKey = null;
        Iterator<Map.Entry<String, JsonNode>> members = dict.properties().iterator();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            String name = member.getKey();
            JsonNode value = member.getValue();
            if (name.equals("execute") || (name.equals("exec-oob") && allowOob)) {
                if (!value.isTextual()) {
                    throw QmpErrors.mustBeString(name);
                }
                if (execKey != null) {
                    throw QmpErrors.clash(name, execKey);
                }
                execKey = name;
            } else if (name.equals("arguments")) {
                if (!value.isObject()) {
                    throw QmpErrors.argumentsMustBeObject();
                }
            } else if (!name.equals("id")) {
                throw QmpErrors.unexpectedMember(name);
            }
        }
        if (execKey == null) {
            throw QmpErrors.lacksExecute();
        }
        return execKey;
    }

    private static ObjectNode success(JsonNode value) {
        ObjectNode reply = QmpJson.object();
        reply.set("return", value);
        return reply;
    }

    private static ObjectNode error(MigrationException e) {
        ObjectNode body = QmpJson.object();
        body.put("class", e.errorClass().qapiName());
        body.put("desc", e.getMessage());
        ObjectNode reply = QmpJson.object();
        reply.set("error", body);
        return reply;
    }

    private static boolean isCommandNotFound(ObjectNode reply) {
        JsonNode error = reply.get("error");
        return error != null && ErrorClass.COMMAND_NOT_FOUND.qapiName().equals(error.path("class").textValue());
    }
}
