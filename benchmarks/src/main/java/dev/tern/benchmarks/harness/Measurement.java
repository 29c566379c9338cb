package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run of one scenario measured, from the source's last {@code query-migrate} (Tern's
 * encoded with the QMP codec, so both engines are read by the same code).
 *
 * @param scenario the scenario's name
 * @param engine {@code tern} or {@code qemu 7.2}
 * @param guest {@code reference} or {@code kvm} for Tern, {@code none} for QEMU ({@link Scenario#guestColumn})
 * @param transfer how the pages travelled (plain socket, multifd or compress)
 * @param baseline the scenario this one is compared with in the same run, if any
 * @param outcome {@code completed}, {@code no switchover} (cancelled at the time limit) or {@code failed}
 * @param totalMillis {@code total-time} (the time limit when there was no switchover)
 * @param setupMillis {@code setup-time}
 * @param downtimeMillis {@code downtime}, -1 without a switchover
 * @param transferredBytes {@code ram.transferred}
 * @param passes {@code ram.dirty-sync-count}
 * @param throttlePercent the highest {@code cpu-throttle-percentage} seen
 * @param note anything else worth a column (RAM check, dirty rate, errors)
 */
record Measurement(String scenario, String engine, String guest, Transfer transfer, Optional<String> baseline, String outcome,
        long totalMillis, long setupMillis, long downtimeMillis, long transferredBytes, long passes,
        long throttlePercent, String note) {

    /**
     * Checks the members.
     *
     * @throws NullPointerException if a member is null
     */
    Measurement {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(note, "note");
    }

    /**
     * Throughput as the harness defines it: transferred bytes over the time after setup.
     *
     * @return MB/s (10^6 bytes per second), or 0 when no time passed
     */
    double throughputMBps() {
        long millis = totalMillis - setupMillis;
        return millis <= 0 ? 0 : transferredBytes / 1e3 / millis;
    }

    /**
     * Reads the members of a source's {@code query-migrate} reply.
     *
     * @param scenario the scenario that ran
     * @param outcome how the run ended
     * @param info the {@code return} of {@code query-migrate}
     * @param elapsedMillis the harness's time since {@code migrate} (0 if not measured): used as
     *     the total time when the reply has no {@code total-time}, or reports 0 after moving data
     * @param throttlePercent the highest throttle seen
     * @param note the note column
     * @return the measurement
     */
    static Measurement of(Scenario scenario, String outcome, JsonNode info, long elapsedMillis, long throttlePercent,
            String note) {
        JsonNode ram = info.path("ram");
        long transferred = ram.path("transferred").asLong(0);
        long total = info.path("total-time").asLong(elapsedMillis);
        String remark = note;
        // QEMU 7.2 with multifd now and then reports a completed migration of 1 GiB in total-time 0
        if (total == 0 && transferred > 0 && elapsedMillis > 0) {
            total = elapsedMillis;
            remark = (note.isEmpty() ? "" : note + "; ") + "total-time 0 reported, harness clock used";
        }
        return new Measurement(scenario.name(), scenario.engine().label(), scenario.guestColumn(), scenario.transfer(),
                scenario.baseline(), outcome, total, info.path("setup-time").asLong(0), info.path("downtime").asLong(-1),
                transferred, ram.path("dirty-sync-count").asLong(0), throttlePercent, remark);
    }

    /**
     * A run that could not be carried out, for example because an engine refused a setting.
     *
     * @param scenario the scenario
     * @param error why
     * @return a {@code failed} measurement with the error in the note
     */
    static Measurement failed(Scenario scenario, Exception error) {
        return new Measurement(scenario.name(), scenario.engine().label(), scenario.guestColumn(), scenario.transfer(),
                scenario.baseline(), "failed", 0, 0, -1, 0, 0, 0, String.valueOf(error.getMessage()));
    }

    /**
     * The representative of repeated runs of one scenario: on this shared 2-core machine one
     * run's total time varies by up to 3x. Of the completed runs, the one with the median
     * {@code total-time} (the lower middle of an even count), its note extended with the spread;
     * when none completed, the last run.
     *
     * @param runs the runs of one scenario, in run order, at least one
     * @return the representative run
     * @throws IllegalArgumentException if {@code runs} is empty
     */
    static Measurement median(List<Measurement> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        List<Measurement> completed = runs.stream().filter(m -> m.outcome().equals("completed"))
                .sorted(Comparator.comparingLong(Measurement::totalMillis)).toList();
        if (runs.size() == 1 || completed.isEmpty()) {
            return runs.getLast();
        }
        Measurement m = completed.get((completed.size() - 1) / 2);
        String spread = "median of " + completed.size() + (completed.size() == runs.size() ? "" : " completed of " + runs.size())
                + " runs, total " + completed.getFirst().totalMillis() + ".." + completed.getLast().totalMillis() + " ms";
        return new Measurement(m.scenario(), m.engine(), m.guest(), m.transfer(), m.baseline(), m.outcome(),
                m.totalMillis(), m.setupMillis(), m.downtimeMillis(), m.transferredBytes(), m.passes(), m.throttlePercent(),
                m.note().isEmpty() ? spread : m.note() + "; " + spread);
    }
}
