package dev.tern.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.api.event.MigrationEvent;
import dev.tern.qmp.codec.QapiCodec;
import dev.tern.qmp.json.QmpJson;
import java.time.Instant;

/**
 * QMP event messages: {@code {"event": NAME, "data": {...}, "timestamp": {"seconds": S,
 * "microseconds": U}}}, the data being the event record's {@code @Qapi} components and the
 * timestamp its {@code timestamp} component (QEMU's {@code qmp_event_build_dict}). {@code data}
 * is left out when the event has no data members.
 */
public final class QmpEvents {
    private QmpEvents() {
    }

    /**
     * The message of an event.
     *
     * @param event the event
     * @return the message object
     */
    public static ObjectNode message(MigrationEvent event) {
        ObjectNode message = QmpJson.object();
        // QEMU inserts event, timestamp, data in this order; the writer then prints QDict order.
        message.put("event", event.qapiName());
        message.set("timestamp", timestamp(event.timestamp()));
        JsonNode data = QapiCodec.encode(event);
        if (!data.isEmpty()) {
            message.set("data", data);
        }
        return message;
    }

    private static ObjectNode timestamp(Instant at) {
        ObjectNode ts = QmpJson.object();
        ts.put("seconds", at.getEpochSecond());
        ts.put("microseconds", at.getNano() / 1000);
        return ts;
    }
}
