package dev.tern.benchmarks.harness;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The harness's report: one row per scenario, then Tern/QEMU ratios for each scenario run by both. */
final class ResultTable {
    private static final String ROW = "%-22s %-9s %-14s %9s %9s %9s %12s %9s %7s %9s  %s%n";

    private ResultTable() {
    }

    /**
     * Prints the table.
     *
     * @param results the measurements, in run order
     * @param out where to print
     */
    static void print(List<Measurement> results, PrintStream out) {
        out.printf(Locale.ROOT, ROW, "scenario", "engine", "outcome", "total ms", "setup ms", "downtime", "transferred",
                "MB/s", "passes", "throttle", "note");
        for (Measurement m : results) {
            out.printf(Locale.ROOT, ROW, m.scenario(), m.engine(), m.outcome(), m.totalMillis(), m.setupMillis(),
                    m.downtimeMillis() < 0 ? "-" : m.downtimeMillis() + " ms",
                    String.format(Locale.ROOT, "%.1f MiB", m.transferredBytes() / 1048576.0),
                    String.format(Locale.ROOT, "%.0f", m.throughputMBps()), m.passes(),
                    m.throttlePercent() == 0 ? "-" : m.throttlePercent() + "%", m.note());
        }
        out.println("MB/s = transferred / (total-time - setup-time), MB = 10^6 bytes; all figures from the source's "
                + "query-migrate.");
        for (Measurement tern : results) {
            Optional<Measurement> qemu = results.stream()
                    .filter(m -> m.scenario().equals(MigrationHarness.QEMU_PREFIX + tern.scenario())).findFirst();
            if (qemu.isEmpty() || !tern.engine().equals(Scenario.Engine.TERN.label())) {
                continue;
            }
            Measurement q = qemu.get();
            out.printf(Locale.ROOT, "Tern/QEMU for %s vs %s: total-time %s, downtime %s, setup-time %s, throughput %s%n",
                    tern.scenario(), q.scenario(), ratio(tern.totalMillis(), q.totalMillis()),
                    ratio(tern.downtimeMillis(), q.downtimeMillis()), ratio(tern.setupMillis(), q.setupMillis()),
                    ratio(tern.throughputMBps(), q.throughputMBps()));
        }
    }

    private static String ratio(double tern, double qemu) {
        if (tern < 0 || qemu <= 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", tern / qemu);
    }
}
