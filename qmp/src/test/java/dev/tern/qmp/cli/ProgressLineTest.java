package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.qmp.json.QmpJson;
import org.junit.jupiter.api.Test;

/** Progress lines from query-migrate replies. */
class ProgressLineTest {
    @Test
    void activeMigration() throws Exception {
        String info = "{\"expected-downtime\": 45, \"status\": \"active\", \"setup-time\": 3, \"total-time\": 410, "
                + "\"ram\": {\"total\": 268435456, \"remaining\": 78852915, \"mbps\": 1650.4, \"transferred\": 189059891, "
                + "\"dirty-sync-count\": 2}}";
        assertEquals("  0.40 s  active      pass 2  sent   180.3 MiB  remaining    75.2 MiB   1650 Mbps  expected downtime 45 ms",
                ProgressLine.format(0.404, QmpJson.parse(info)));
    }

    @Test
    void throttledMigration() throws Exception {
        String info = "{\"status\": \"active\", \"cpu-throttle-percentage\": 30, \"expected-downtime\": 900, "
                + "\"ram\": {\"remaining\": 0, \"mbps\": 0, \"transferred\": 0, \"dirty-sync-count\": 1}}";
        assertEquals(" 12.00 s  active      pass 1  sent     0.0 MiB  remaining     0.0 MiB      0 Mbps  expected downtime 900 ms"
                + "  throttle 30%", ProgressLine.format(12, QmpJson.parse(info)));
    }

    @Test
    void membersMissingInTheState() throws Exception {
        assertEquals("  0.00 s  setup", ProgressLine.format(0, QmpJson.parse("{\"status\": \"setup\"}")));
        assertEquals("  1.50 s  none", ProgressLine.format(1.5, QmpJson.parse("{}")));
    }
}
