package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.qmp.json.QmpJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Measurements read from query-migrate and the report built from them. */
class ResultTableTest {
    @Test
    void measurementFromQueryMigrate() throws Exception {
        Measurement m = Measurement.of("idle-4g", "tern", "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"setup-time\": 50, \"downtime\": 10, \"total-time\": 1050, \"ram\": {\"transferred\": 500000000, "
                + "\"dirty-sync-count\": 3}}"), 0, 0, "RAM identical");
        assertEquals(new Measurement("idle-4g", "tern", "completed", 1050, 50, 10, 500_000_000, 3, 0, "RAM identical"), m);
        assertEquals(500.0, m.throughputMBps(), 1e-9, "500 MB in the 1000 ms after setup");
    }

    @Test
    void missingMembersAndNoTime() throws Exception {
        Measurement m = Measurement.of("s", "tern", "no switchover", QmpJson.parse("{\"status\": \"active\"}"), 30_000, 99,
                "");
        assertEquals(30_000, m.totalMillis(), "the elapsed time stands in for total-time");
        assertEquals(-1, m.downtimeMillis());
        assertEquals(0, new Measurement("s", "e", "o", 5, 5, 0, 1000, 1, 0, "").throughputMBps());
    }

    @Test
    void tableWithRatios() {
        Measurement tern = new Measurement("idle-4g", "tern", "completed", 2000, 100, 20, 380_000_000, 3, 0, "RAM identical");
        Measurement qemu = new Measurement("qemu-idle-4g", "qemu 7.2", "completed", 1000, 0, 10, 400_000_000, 3, 0, "");
        Measurement alone = new Measurement("sweep-1g", "tern", "no switchover", 60_000, 5, -1, 1 << 30, 40, 99, "x");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ResultTable.print(List.of(tern, qemu, alone), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Tern/QEMU for idle-4g vs qemu-idle-4g: total-time 2.00x, downtime 2.00x, "
                + "setup-time n/a, throughput 0.50x"), text);
        assertFalse(text.contains("for sweep-1g"), "no QEMU run of it: no ratio");
        assertTrue(text.lines().anyMatch(l -> l.startsWith("sweep-1g") && l.contains(" - ") && l.contains("99%")), text);
        assertEquals(1 + 3 + 1 + 1, text.lines().count(), text);
    }
}
