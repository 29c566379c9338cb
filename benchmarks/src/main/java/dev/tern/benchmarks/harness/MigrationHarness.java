package dev.tern.benchmarks.harness;

import dev.tern.kvm.KvmGuest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The end-to-end migration harness: migrates guests over TCP loopback and reports QEMU's
 * figures ({@code total-time}, {@code downtime}, {@code setup-time}, {@code ram.transferred},
 * {@code ram.dirty-sync-count}) per scenario, with QEMU 7.2 itself as the baseline where both
 * engines run the same guest.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar dev.tern.benchmarks.harness.MigrationHarness [--limit SECONDS] [--repeat N] [--no-warm-up] [SCENARIO|GROUP...]
 * </pre>
 *
 * Scenarios (all by default; a word that is not a scenario's name selects every scenario whose
 * name starts with it and a {@code -}, on both engines, see {@link Scenarios#select}):
 * <ul>
 * <li>{@code idle-4g}: Tern, 4 GiB, 10% of the pages random data, the guest idle;
 * <li>{@code qemu-idle-4g}: QEMU 7.2, the same RAM contents ({@code memory-backend-file}), {@code -M none -S};
 * <li>{@code zero-4g}, {@code qemu-zero-4g}: the same with all-zero RAM ({@code qemu -M none -m 4G});
 * <li>{@code sweep-1g}: Tern, 1 GiB rewritten by a full-speed sweep, max-bandwidth 100 GB/s,
 *     downtime-limit 300 ms: converges only if a whole RAM's worth fits in 300 ms of link;
 * <li>{@code sweep-1g-autoconverge}: the same with {@code auto-converge}, which throttles the
 *     vCPU until the dirty rate fits;
 * <li>group {@code multifd}: {@code multifd-off-1g} (the plain socket, the group's baseline), then
 *     {@code multifd-Nch-C-1g} for N = 1, 2, 4, 8 channels and C = none, zlib, zstd, on both ends;
 *     1 GiB, every page half-compressible data, the guest idle; the same with {@code qemu-} first;
 * <li>group {@code compress}: {@code compress-off-256m}, {@code compress-1t-256m},
 *     {@code compress-2t-256m} (the legacy {@code compress} capability, compress-threads 1 and 2),
 *     the same guest with 256 MiB; the same with {@code qemu-} first;
 * <li>group {@code kvm}: live migration of a real KVM guest ({@code KvmGuest}, one vCPU running
 *     QEMU's A-B sweep, the host's default dirty tracking) of 1 GiB and 4064 MiB (the largest
 *     KVM guest), idle ({@code kvm-idle-...}: the vCPU rewrites one page, 10% of the pages random
 *     data) and sweeping ({@code kvm-sweep-...}: all of RAM above 1 MiB at full speed, with
 *     {@code auto-converge}), each compared with its reference-guest twin ({@code ref-...}: core's
 *     reference guest, idle or sweeping the same range, the same RAM contents and settings). The
 *     note says whether the destination's RAM equals the source's at the stop point, passes
 *     QEMU's check of the sweep (spec 15.2), and, resumed with {@code cont}, counts on from the
 *     migrated pass count. Needs a usable {@code /dev/kvm}; without one the KVM rows and their
 *     twins are skipped with a line saying why.
 * </ul>
 * Before the first scenario of each engine and page path (plain, multifd with each compression,
 * compress) the harness migrates an unreported 256 MiB warm-up guest the same way, so that class
 * loading and JIT compilation do not land on the first row (usually a baseline);
 * {@code --no-warm-up} skips them. One run's time varies by up to 3x on a shared 2-core machine:
 * {@code --repeat 3} runs each scenario three times and reports the median.
 * QEMU scenarios are skipped with a message when {@code qemu-system-x86_64} is not on the PATH.
 * A run an engine refuses (a capability or parameter error) is a {@code failed} row, and the
 * harness goes on with the next.
 */
public final class MigrationHarness {
    private MigrationHarness() {
    }

    /**
     * Runs the named scenarios and groups (all without names) and prints the table.
     *
     * @param args {@code [--limit SECONDS] [--repeat N] [--no-warm-up] [SCENARIO|GROUP...]}; the
     *     limit applies to the dirtying scenarios (default 60 s); each scenario runs N times
     *     (default 1) and the table shows the run of median total time
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        PrintStream out = System.out;
        Duration limit = Duration.ofSeconds(60);
        boolean warmUps = true;
        int repeat = 1;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--limit") && i + 1 < args.length) {
                limit = Duration.ofSeconds(Long.parseLong(args[++i]));
            } else if (args[i].equals("--repeat") && i + 1 < args.length) {
                repeat = Math.max(1, Integer.parseInt(args[++i]));
            } else if (args[i].equals("--no-warm-up")) {
                warmUps = false;
            } else {
                words.add(args[i]);
            }
        }
        Map<String, Scenario> all = Scenarios.all(limit);
        List<Scenario> selected;
        try {
            selected = Scenarios.select(all, words);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // asked only when needed: opening /dev/kvm is the harness's only native call
        Optional<String> noKvm = selected.stream().anyMatch(MigrationHarness::needsKvm) ? KvmGuest.unusableReason()
                : Optional.empty();
        if (noKvm.isPresent()) {
            List<Scenario> runnable = Scenarios.select(all, words, s -> !needsKvm(s));
            out.println();
            out.println("== " + selected.stream().filter(s -> !runnable.contains(s)).map(Scenario::name)
                    .collect(Collectors.joining(", ")) + ": skipped, no usable /dev/kvm (" + noKvm.get() + ")");
            selected = runnable;
        }
        Optional<Path> qemu = QemuMigration.installed();
        List<Measurement> results = new ArrayList<>();
        Set<String> warm = new HashSet<>();
        for (Scenario s : selected) {
            if (s.engine() == Scenario.Engine.QEMU && qemu.isEmpty()) {
                out.println();
                out.println("== " + s.name() + ": skipped, " + QemuMigration.QEMU
                        + " is not on the PATH (apt-get install qemu-system-x86)");
                continue;
            }
            if (warmUps && warm.add(Scenarios.warmUpKey(s))) {
                Measurement w = run(Scenarios.warmUp(s), qemu, out);
                out.printf("  warm-up %s in %d ms%n", w.outcome(), w.totalMillis());
            }
            List<Measurement> runs = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                runs.add(run(s, qemu, out));
            }
            results.add(Measurement.median(runs));
        }
        out.println();
        ResultTable.print(results, out);
    }

    private static boolean needsKvm(Scenario s) {
        return s.engine() == Scenario.Engine.TERN && s.guest() == Scenario.GuestKind.KVM;
    }

    private static Measurement run(Scenario s, Optional<Path> qemu, PrintStream out) throws InterruptedException {
        out.println();
        out.println("== " + s.name() + " (" + s.engine().label() + "): " + s.describe());
        try {
            return s.engine() == Scenario.Engine.QEMU ? new QemuMigration(s, out).run(qemu.orElseThrow())
                    : new TernMigration(s, out).run();
        } catch (IOException | RuntimeException e) {
            out.println("  failed: " + e);
            return Measurement.failed(s, e);
        }
    }
}
