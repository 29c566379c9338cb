package dev.tern.benchmarks.harness;

import dev.tern.core.guest.Workload;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end migration harness: migrates guests over TCP loopback and reports QEMU's
 * figures ({@code total-time}, {@code downtime}, {@code setup-time}, {@code ram.transferred},
 * {@code ram.dirty-sync-count}) per scenario, with QEMU 7.2 itself as the baseline where both
 * engines run the same guest.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar dev.tern.benchmarks.harness.MigrationHarness [--limit SECONDS] [SCENARIO...]
 * </pre>
 *
 * Scenarios (all by default):
 * <ul>
 * <li>{@code idle-4g}: Tern, 4 GiB, 10% of the pages random data, the guest idle;
 * <li>{@code qemu-idle-4g}: QEMU 7.2, the same RAM contents ({@code memory-backend-file}), {@code -M none -S};
 * <li>{@code zero-4g}, {@code qemu-zero-4g}: the same with all-zero RAM ({@code qemu -M none -m 4G});
 * <li>{@code sweep-1g}: Tern, 1 GiB rewritten by a full-speed sweep, max-bandwidth 100 GB/s,
 *     downtime-limit 300 ms: converges only if a whole RAM's worth fits in 300 ms of link;
 * <li>{@code sweep-1g-autoconverge}: the same with {@code auto-converge}, which throttles the
 *     vCPU until the dirty rate fits.
 * </ul>
 * QEMU scenarios are skipped with a message when {@code qemu-system-x86_64} is not on the PATH.
 */
public final class MigrationHarness {
    /** A QEMU baseline scenario's name is the Tern scenario's with this prefix. */
    static final String QEMU_PREFIX = "qemu-";

    private static final long GIB = 1L << 30;
    private static final long FAST = 100_000_000_000L;
    private static final long DOWNTIME_LIMIT = 300;

    private MigrationHarness() {
    }

    /** The scenarios by name, in run order. */
    static Map<String, Scenario> scenarios(Duration dirtyLimit) {
        Duration idleLimit = Duration.ofSeconds(120);
        Map<String, Scenario> all = new LinkedHashMap<>();
        for (Scenario s : List.of(
                new Scenario("idle-4g", Scenario.Engine.TERN, 4 * GIB, 100, ram -> Workload.idle(), FAST, DOWNTIME_LIMIT,
                        false, idleLimit),
                new Scenario(QEMU_PREFIX + "idle-4g", Scenario.Engine.QEMU, 4 * GIB, 100, ram -> Workload.idle(), FAST,
                        DOWNTIME_LIMIT, false, idleLimit),
                new Scenario("zero-4g", Scenario.Engine.TERN, 4 * GIB, 0, ram -> Workload.idle(), FAST, DOWNTIME_LIMIT,
                        false, idleLimit),
                new Scenario(QEMU_PREFIX + "zero-4g", Scenario.Engine.QEMU, 4 * GIB, 0, ram -> Workload.idle(), FAST,
                        DOWNTIME_LIMIT, false, idleLimit),
                new Scenario("sweep-1g", Scenario.Engine.TERN, GIB, 0, ram -> Workload.sequentialSweep(0, ram), FAST,
                        DOWNTIME_LIMIT, false, dirtyLimit),
                new Scenario("sweep-1g-autoconverge", Scenario.Engine.TERN, GIB, 0, ram -> Workload.sequentialSweep(0, ram),
                        FAST, DOWNTIME_LIMIT, true, dirtyLimit))) {
            all.put(s.name(), s);
        }
        return all;
    }

    /**
     * Runs the named scenarios (all without names) and prints the table.
     *
     * @param args {@code [--limit SECONDS] [SCENARIO...]}; the limit applies to the dirtying
     *     scenarios (default 60 s)
     * @throws Exception if a scenario cannot be run
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Duration limit = Duration.ofSeconds(60);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--limit") && i + 1 < args.length) {
                limit = Duration.ofSeconds(Long.parseLong(args[++i]));
            } else {
                names.add(args[i]);
            }
        }
        Map<String, Scenario> all = scenarios(limit);
        if (names.isEmpty()) {
            names.addAll(all.keySet());
        }
        for (String name : names) {
            if (!all.containsKey(name)) {
                System.err.println("unknown scenario " + name + "; known: " + String.join(", ", all.keySet()));
                System.exit(2);
            }
        }
        Optional<Path> qemu = QemuMigration.installed();
        List<Measurement> results = new ArrayList<>();
        for (String name : names) {
            Scenario s = all.get(name);
            out.println();
            out.println("== " + name + " (" + s.engine().label() + "): " + s.describe());
            if (s.engine() == Scenario.Engine.QEMU) {
                if (qemu.isEmpty()) {
                    out.println("  skipped: " + QemuMigration.QEMU + " is not on the PATH (apt-get install qemu-system-x86)");
                    continue;
                }
                results.add(new QemuMigration(s, out).run(qemu.get()));
            } else {
                results.add(new TernMigration(s, out).run());
            }
        }
        out.println();
        ResultTable.print(results, out);
    }
}
