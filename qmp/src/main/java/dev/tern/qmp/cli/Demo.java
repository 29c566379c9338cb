package dev.tern.qmp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.qmp.QmpDispatcher;
import dev.tern.qmp.QmpSession;
import dev.tern.qmp.json.QmpJson;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code demo}: the control plane in a few QMP exchanges against a real engine, through the same
 * dispatcher {@code run} serves (no socket): capabilities and parameters set and queried, a
 * capability combination the engine rejects, and parameter values it rejects, each with the
 * QMP error a QEMU client would see.
 */
final class Demo {
    private final QmpSession session;
    private final PrintStream out;

    private Demo(QmpSession session, PrintStream out) {
        this.session = session;
        this.out = out;
    }

    /**
     * Shows the exchanges against a fresh VM.
     *
     * @param options the RAM size
     * @param out where the exchanges are printed
     * @return the exit status, 0
     */
    static int run(LaunchOptions options, PrintStream out) {
        try (RamGuest guest = new RamGuest(options.ramBytes());
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            Demo demo = new Demo(new QmpDispatcher(vm).newSession(), out);
            out.printf("Tern QMP demo: a %s VM driven with QEMU 7.2's control protocol%n",
                    Sizes.format(guest.ramBytes()));
            return demo.show();
        }
    }

    private int show() {
        section("Negotiate");
        send("{\"execute\": \"qmp_capabilities\"}", true);

        section("Set and query capabilities");
        send("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": ["
                + "{\"capability\": \"xbzrle\", \"state\": true}, {\"capability\": \"events\", \"state\": true}]}}", true);
        JsonNode caps = send("{\"execute\": \"query-migrate-capabilities\"}", false);
        List<String> enabled = new ArrayList<>();
        for (JsonNode c : caps.path("return")) {
            if (c.path("state").asBoolean()) {
                enabled.add(c.path("capability").asText());
            }
        }
        out.printf("   %d capabilities, enabled: %s%n", caps.path("return").size(), String.join(", ", enabled));

        section("Set and query parameters");
        send("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"downtime-limit\": 500, "
                + "\"max-bandwidth\": 1073741824, \"multifd-channels\": 4}}", true);
        JsonNode params = send("{\"execute\": \"query-migrate-parameters\"}", false).path("return");
        out.printf("   downtime-limit %s ms, max-bandwidth %s B/s, multifd-channels %s, xbzrle-cache-size %s B%n",
                member(params, "downtime-limit"), member(params, "max-bandwidth"), member(params, "multifd-channels"),
                member(params, "xbzrle-cache-size"));

        section("Rejected: multifd together with compress");
        send("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": ["
                + "{\"capability\": \"multifd\", \"state\": true}, {\"capability\": \"compress\", \"state\": true}]}}",
                true);

        section("Rejected: compress-level 10 (engine range check) and 256 (not a uint8)");
        send("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"compress-level\": 10}}", true);
        send("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"compress-level\": 256}}", true);
        return 0;
    }

    private void section(String title) {
        out.println();
        out.println(title + ":");
    }

    private JsonNode send(String request, boolean showReply) {
        out.println("-> " + request);
        JsonNode reply;
        try {
            reply = session.execute(QmpJson.parse(request));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("demo request is not JSON: " + request, e);
        }
        String text = QmpJson.write(reply);
        if (showReply || reply.has("error")) {
            out.println("<- " + text);
        } else {
            JsonNode value = reply.path("return");
            out.printf("<- {\"return\": %s} (%d %s)%n", value.isArray() ? "[...]" : "{...}", value.size(),
                    value.isArray() ? "entries" : "members");
        }
        return reply;
    }

    private static String member(JsonNode object, String name) {
        JsonNode value = object.path(name);
        return value.isMissingNode() ? "(absent)" : value.toString();
    }
}
