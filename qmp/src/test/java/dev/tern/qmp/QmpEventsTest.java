package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrationStatus;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.event.ColoExitEvent;
import dev.tern.api.event.JobStatusChangeEvent;
import dev.tern.api.event.MigrationPassEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.UnplugPrimaryEvent;
import dev.tern.api.job.JobStatus;
import dev.tern.qmp.json.QmpJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QmpEventsTest {
    private static final Instant AT = Instant.ofEpochSecond(1432121972, 744_001_999);

    @Test
    void migrationEventAsQemuPrintsIt() {
        assertEquals("{\"timestamp\": {\"seconds\": 1432121972, \"microseconds\": 744001}, \"event\": \"MIGRATION\", "
                + "\"data\": {\"status\": \"completed\"}}",
                QmpJson.write(QmpEvents.message(new MigrationStatusEvent(AT, MigrationStatus.COMPLETED))));
    }

    @Test
    void everyEventCarriesItsData() {
        assertEquals("{\"timestamp\": {\"seconds\": 1432121972, \"microseconds\": 744001}, \"event\": \"MIGRATION_PASS\", "
                + "\"data\": {\"pass\": 2}}", QmpJson.write(QmpEvents.message(new MigrationPassEvent(AT, 2))));
        assertEquals("{\"mode\": \"primary\", \"reason\": \"error\"}",
                QmpJson.write(QmpEvents.message(new ColoExitEvent(AT, ColoMode.PRIMARY, ColoExitReason.ERROR)).get("data")));
        assertEquals("{\"device-id\": \"net0\"}",
                QmpJson.write(QmpEvents.message(new UnplugPrimaryEvent(AT, "net0")).get("data")));
        assertEquals("{\"status\": \"concluded\", \"id\": \"j\"}",
                QmpJson.write(QmpEvents.message(new JobStatusChangeEvent(AT, "j", JobStatus.CONCLUDED)).get("data")));
    }

    @Test
    void timestampBeforeTheEpochKeepsMicrosecondsPositive() {
        var message = QmpEvents.message(new MigrationPassEvent(Instant.ofEpochSecond(-1, 500_000), 1));
        assertEquals(-1, message.at("/timestamp/seconds").asLong());
        assertEquals(500, message.at("/timestamp/microseconds").asLong());
    }
}
