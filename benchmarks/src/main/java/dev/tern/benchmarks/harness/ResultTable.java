package dev.tern.benchmarks.harness;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The harness's report: one row per scenario, with its transfer (multifd channels and
 * compression) and its total time against its baseline of the same run; then, for each row that
 * has a baseline, its ratios to it; then Tern/QEMU ratios for each scenario run by both.
 */
final class ResultTable {
    private static final String ROW = "%-26s %-9s %-9s %-7s %-11s %-14s %9s %9s %9s %12s %9s %8s %7s %9s  %s%n";

    private ResultTable() {
    }

    /**
     * Prints the table.
     *
     * @param results the measurements, in run order
     * @param out where to print
     */
    static void print(List<Measurement> results, PrintStream out) {
        out.printf(Locale.ROOT, ROW, "scenario", "engine", "guest", "multifd", "compression", "outcome", "total ms", "setup ms",
                "downtime", "transferred", "MB/s", "vs base", "passes", "throttle", "note");
        for (Measurement m : results) {
            out.printf(Locale.ROOT, ROW, m.scenario(), m.engine(), m.guest(), m.transfer().channelsColumn(),
                    m.transfer().compressionColumn(), m.outcome(), m.totalMillis(), m.setupMillis(),
                    m.downtimeMillis() < 0 ? "-" : m.downtimeMillis() + " ms",
                    String.format(Locale.ROOT, "%.1f MiB", m.transferredBytes() / 1048576.0),
                    String.format(Locale.ROOT, "%.0f", m.throughputMBps()),
                    baseline(m, results).map(b -> ratio(m.totalMillis(), b.totalMillis())).orElse("-"), m.passes(),
                    m.throttlePercent() == 0 ? "-" : m.throttlePercent() + "%", m.note());
        }
        out.println("MB/s = transferred / (total-time - setup-time), MB = 10^6 bytes; vs base = total-time / the "
                + "baseline's total-time (below 1: faster); all figures from the source's query-migrate.");
        for (Measurement m : results) {
            Optional<Measurement> base = baseline(m, results);
            if (base.isEmpty()) {
                continue;
            }
            Measurement b = base.get();
            out.printf(Locale.ROOT, "%s vs %s: total-time %s, throughput %s, transferred %s, downtime %s, setup-time %s%n",
                    m.scenario(), b.scenario(), ratio(m.totalMillis(), b.totalMillis()),
                    ratio(m.throughputMBps(), b.throughputMBps()), ratio(m.transferredBytes(), b.transferredBytes()),
                    ratio(m.downtimeMillis(), b.downtimeMillis()), ratio(m.setupMillis(), b.setupMillis()));
        }
        for (Measurement tern : results) {
            Optional<Measurement> qemu = results.stream()
                    .filter(m -> m.scenario().equals(Scenarios.QEMU_PREFIX + tern.scenario())).findFirst();
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

    /**
     * The completed run a row is compared with: its baseline scenario, if that ran and completed,
     * and only when the row completed too (a cancelled run's time is the limit, not a result).
     *
     * @param row the row
     * @param results every measurement of the run
     * @return the baseline's measurement
     */
    static Optional<Measurement> baseline(Measurement row, List<Measurement> results) {
        if (row.baseline().isEmpty() || !row.outcome().equals("completed")) {
            return Optional.empty();
        }
        return results.stream().filter(m -> m.scenario().equals(row.baseline().get()) && m.outcome().equals("completed"))
                .findFirst();
    }

    /**
     * One figure over another.
     *
     * @param value the row's figure
     * @param base the figure it is compared with
     * @return for example {@code 0.52x}, or {@code n/a} when either is negative or the base is 0
     */
    static String ratio(double value, double base) {
        if (value < 0 || base <= 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", value / base);
    }
}
