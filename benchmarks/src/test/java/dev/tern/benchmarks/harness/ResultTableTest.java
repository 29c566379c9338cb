package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import dev.tern.core.guest.Workload;
import dev.tern.qmp.json.QmpJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Measurements read from query-migrate and the report built from them. */
class ResultTableTest {
    private static Measurement plain(String scenario, String engine, String outcome, long total, long setup, long downtime,
            long transferred, long passes, long throttle, String note) {
        return new Measurement(scenario, engine, "reference", Transfer.plain(), Optional.empty(), outcome, total, setup,
                downtime, transferred, passes, throttle, note);
    }

    private static Measurement against(String scenario, String engine, Transfer transfer, String baseline, String outcome,
            long total, long transferred) {
        return new Measurement(scenario, engine, "reference", transfer, Optional.of(baseline), outcome, total, 0, 5,
                transferred, 1, 0, "");
    }

    private static String print(List<Measurement> results) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ResultTable.print(results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void measurementFromQueryMigrate() throws Exception {
        Scenario scenario = new Scenario("multifd-4ch-zstd-1g", Scenario.Engine.TERN, Scenario.GuestKind.REFERENCE,
                1L << 30, 1000,
                RamPattern.Kind.HALF_COMPRESSIBLE, ram -> Workload.idle(), 1, 300, Optional.empty(),
                Transfer.multifd(4, MultiFdCompression.ZSTD), Optional.of("multifd-off-1g"), Duration.ofSeconds(1));
        Measurement m = Measurement.of(scenario, "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"setup-time\": 50, \"downtime\": 10, \"total-time\": 1050, \"ram\": {\"transferred\": 500000000, "
                + "\"dirty-sync-count\": 3}}"), 0, 0, "RAM identical");
        assertEquals(new Measurement("multifd-4ch-zstd-1g", "tern", "reference", Transfer.multifd(4, MultiFdCompression.ZSTD),
                Optional.of("multifd-off-1g"), "completed", 1050, 50, 10, 500_000_000, 3, 0, "RAM identical"), m);
        assertEquals(500.0, m.throughputMBps(), 1e-9, "500 MB in the 1000 ms after setup");
    }

    @Test
    void aZeroTotalTimeAfterMovingDataIsReplacedByTheHarnessClock() throws Exception {
        Scenario scenario = new Scenario("q", Scenario.Engine.QEMU, 1L << 30, 0, ram -> Workload.idle(), 1, 300, false,
                Duration.ofSeconds(1));
        Measurement zero = Measurement.of(scenario, "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"total-time\": 0, \"ram\": {\"transferred\": 1000}}"), 980, 0, "");
        assertEquals(980, zero.totalMillis());
        assertEquals("total-time 0 reported, harness clock used", zero.note());
        Measurement nothingSent = Measurement.of(scenario, "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"total-time\": 0, \"ram\": {\"transferred\": 0}}"), 980, 0, "x");
        assertEquals(0, nothingSent.totalMillis());
        assertEquals("x", nothingSent.note());
        Measurement unmeasured = Measurement.of(scenario, "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"total-time\": 0, \"ram\": {\"transferred\": 1000}}"), 0, 0, "");
        assertEquals(0, unmeasured.totalMillis(), "no harness time to use");
    }

    @Test
    void missingMembersAndNoTime() throws Exception {
        Scenario scenario = new Scenario("s", Scenario.Engine.QEMU, 1L << 30, 0, ram -> Workload.idle(), 1, 300, false,
                Duration.ofSeconds(1));
        Measurement m = Measurement.of(scenario, "no switchover", QmpJson.parse("{\"status\": \"active\"}"), 30_000, 99,
                "");
        assertEquals(30_000, m.totalMillis(), "the elapsed time stands in for total-time");
        assertEquals(-1, m.downtimeMillis());
        assertEquals("qemu 7.2", m.engine());
        assertEquals("none", m.guest(), "QEMU's -M none has no vCPU, whatever the scenario's guest kind");
        assertEquals(0, plain("s", "e", "o", 5, 5, 0, 1000, 1, 0, "").throughputMBps());
        Measurement failed = Measurement.failed(scenario, new IllegalStateException("refused"));
        assertEquals("failed", failed.outcome());
        assertEquals("refused", failed.note());
    }

    @Test
    void tableWithQemuRatios() {
        Measurement tern = plain("idle-4g", "tern", "completed", 2000, 100, 20, 380_000_000, 3, 0, "RAM identical");
        Measurement qemu = plain("qemu-idle-4g", "qemu 7.2", "completed", 1000, 0, 10, 400_000_000, 3, 0, "");
        Measurement alone = plain("sweep-1g", "tern", "no switchover", 60_000, 5, -1, 1 << 30, 40, 99, "x");
        String text = print(List.of(tern, qemu, alone));
        assertTrue(text.contains("Tern/QEMU for idle-4g vs qemu-idle-4g: total-time 2.00x, downtime 2.00x, "
                + "setup-time n/a, throughput 0.50x"), text);
        assertFalse(text.contains("for sweep-1g"), "no QEMU run of it: no ratio");
        assertTrue(text.lines().anyMatch(l -> l.startsWith("sweep-1g") && l.contains(" - ") && l.contains("99%")), text);
        assertEquals(1 + 3 + 1 + 1, text.lines().count(), text);
    }

    @Test
    void transferColumnsAndRatiosToTheBaselineOfTheSameEngine() {
        Measurement off = plain("multifd-off-1g", "tern", "completed", 2000, 0, 5, 1_000_000_000, 1, 0, "");
        Measurement four = against("multifd-4ch-zstd-1g", "tern", Transfer.multifd(4, MultiFdCompression.ZSTD),
                "multifd-off-1g", "completed", 500, 600_000_000);
        Measurement qemuOff = plain("qemu-multifd-off-1g", "qemu 7.2", "completed", 1000, 0, 5, 1_000_000_000, 1, 0, "");
        Measurement qemuFour = against("qemu-multifd-4ch-zstd-1g", "qemu 7.2",
                Transfer.multifd(4, MultiFdCompression.ZSTD), "qemu-multifd-off-1g", "completed", 2000, 1_000_000_000);
        Measurement compress = against("compress-2t-1g", "tern", Transfer.compress(2), "compress-off-1g", "completed",
                100, 1);
        String text = print(List.of(off, four, qemuOff, qemuFour, compress));
        assertTrue(text.contains("multifd-4ch-zstd-1g vs multifd-off-1g: total-time 0.25x, throughput 2.40x, "
                + "transferred 0.60x, downtime 1.00x, setup-time n/a"), text);
        assertTrue(text.contains("qemu-multifd-4ch-zstd-1g vs qemu-multifd-off-1g: total-time 2.00x"), text);
        assertFalse(text.contains("compress-2t-1g vs"), "its baseline did not run: no ratio");
        String fourRow = text.lines().filter(l -> l.startsWith("multifd-4ch-zstd-1g ")).findFirst().orElseThrow();
        assertEquals(List.of("multifd-4ch-zstd-1g", "tern", "reference", "4", "zstd", "completed", "500", "0", "5", "ms", "572.2",
                "MiB", "1200", "0.25x", "1", "-"), List.of(fourRow.trim().split(" +")), fourRow);
        String offRow = text.lines().filter(l -> l.startsWith("multifd-off-1g ")).findFirst().orElseThrow();
        assertTrue(offRow.matches("multifd-off-1g +tern +reference +- +- +completed .*"), offRow);
        String compressRow = text.lines().filter(l -> l.startsWith("compress-2t-1g ")).findFirst().orElseThrow();
        assertTrue(compressRow.matches("compress-2t-1g +tern +reference +- +compress/2t +completed .*"), compressRow);
        assertTrue(text.lines().findFirst().orElseThrow().matches("scenario +engine +guest +multifd +compression +outcome .*"
                + "MB/s +vs base +passes .*"), text);
    }

    @Test
    void kvmRowsShowTheirGuestAndCompareWithTheirReferenceTwin() throws Exception {
        Scenario kvm = Scenarios.all(Duration.ofSeconds(60)).get("kvm-sweep-1g");
        Measurement twin = plain("ref-sweep-1g", "tern", "completed", 4000, 20, 100, 3_000_000_000L, 9, 70, "");
        Measurement row = Measurement.of(kvm, "completed", QmpJson.parse("{\"status\": \"completed\", "
                + "\"setup-time\": 10, \"downtime\": 50, \"total-time\": 2000, \"ram\": {\"transferred\": "
                + "1990000000, \"dirty-sync-count\": 6}}"), 0, 60, "RAM identical");
        assertEquals("kvm", row.guest());
        assertEquals(Optional.of("ref-sweep-1g"), row.baseline());
        String text = print(List.of(twin, row));
        assertTrue(text.contains("kvm-sweep-1g vs ref-sweep-1g: total-time 0.50x, throughput 1.33x, transferred 0.66x,"
                + " downtime 0.50x, setup-time 0.50x"), text);
        String kvmRow = text.lines().filter(l -> l.startsWith("kvm-sweep-1g ")).findFirst().orElseThrow();
        assertEquals(List.of("kvm-sweep-1g", "tern", "kvm", "-", "-", "completed", "2000", "10", "50", "ms", "1897.8",
                "MiB", "1000", "0.50x", "6", "60%", "RAM", "identical"), List.of(kvmRow.trim().split(" +")), kvmRow);
        assertFalse(text.contains("Tern/QEMU"), "no QEMU twin of a KVM row");
    }

    @Test
    void noRatioAgainstOrForARunThatDidNotComplete() {
        Measurement off = plain("multifd-off-1g", "tern", "failed", 0, 0, -1, 0, 0, 0, "refused");
        Measurement one = against("multifd-1ch-none-1g", "tern", Transfer.multifd(1, MultiFdCompression.NONE),
                "multifd-off-1g", "completed", 500, 1);
        Measurement offDone = plain("multifd-off-1g", "tern", "completed", 1000, 0, 5, 1, 1, 0, "");
        Measurement cancelled = against("multifd-2ch-none-1g", "tern", Transfer.multifd(2, MultiFdCompression.NONE),
                "multifd-off-1g", "no switchover", 30_000, 1);
        assertEquals(Optional.empty(), ResultTable.baseline(one, List.of(off, one)));
        assertEquals(Optional.of(offDone), ResultTable.baseline(one, List.of(offDone, one)));
        assertEquals(Optional.empty(), ResultTable.baseline(cancelled, List.of(offDone, cancelled)));
        assertEquals(Optional.empty(), ResultTable.baseline(offDone, List.of(offDone, one)), "a baseline has none");
    }

    @Test
    void ratio() {
        assertEquals("0.50x", ResultTable.ratio(500, 1000));
        assertEquals("3.00x", ResultTable.ratio(3, 1));
        assertEquals("0.00x", ResultTable.ratio(0, 1));
        assertEquals("n/a", ResultTable.ratio(1, 0));
        assertEquals("n/a", ResultTable.ratio(-1, 10), "no downtime without a switchover");
    }

    @Test
    void medianOfRepeatedRuns() {
        Measurement slow = plain("s", "tern", "completed", 3000, 0, 5, 1, 1, 0, "RAM identical");
        Measurement fast = plain("s", "tern", "completed", 1000, 0, 5, 1, 1, 0, "RAM identical");
        Measurement middle = plain("s", "tern", "completed", 2000, 0, 7, 1, 1, 0, "RAM identical");
        Measurement cancelled = plain("s", "tern", "no switchover", 45_000, 0, -1, 1, 1, 0, "");
        Measurement m = Measurement.median(List.of(slow, fast, middle));
        assertEquals(2000, m.totalMillis());
        assertEquals(7, m.downtimeMillis(), "every figure from the same run");
        assertEquals("RAM identical; median of 3 runs, total 1000..3000 ms", m.note());
        assertEquals(1000, Measurement.median(List.of(slow, fast)).totalMillis(), "the lower middle");
        Measurement partial = Measurement.median(List.of(cancelled, slow, fast));
        assertEquals(1000, partial.totalMillis());
        assertEquals("RAM identical; median of 2 completed of 3 runs, total 1000..3000 ms", partial.note());
        assertEquals(cancelled, Measurement.median(List.of(cancelled, cancelled)), "none completed: the last");
        assertEquals(slow, Measurement.median(List.of(slow)), "one run is itself, note unchanged");
        assertThrows(IllegalArgumentException.class, () -> Measurement.median(List.of()));
    }
}
