package dev.tern.benchmarks.harness;

import dev.tern.core.guest.Workload;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * One harness run: a guest, how it is migrated, and by which engine.
 *
 * @param name the name on the command line and in the table
 * @param engine {@link Engine#TERN} (in this JVM) or {@link Engine#QEMU} (two QEMU 7.2 processes)
 * @param guest what a Tern scenario migrates: core's reference guest or a KVM guest (ignored by QEMU)
 * @param ramBytes the guest's RAM
 * @param filledPerMille pages in a thousand filled with data before the migration
 *     ({@link RamPattern}); the rest is zero
 * @param pattern what a filled page holds
 * @param workload what a Tern guest's vCPUs do, given the RAM size (QEMU's {@code -M none} has no vCPU);
 *     a KVM guest runs it as {@link KvmSweepRange#of} says
 * @param maxBandwidth {@code max-bandwidth}, bytes per second
 * @param downtimeLimitMillis {@code downtime-limit}
 * @param autoConverge the {@code auto-converge} capability with its throttle steps, empty when off
 * @param transfer plain socket, multifd or compress, set on both ends
 * @param baseline the scenario of the same engine this one is compared with in the table (the
 *     same migration over the plain socket), if any
 * @param limit how long the migration may take before the harness cancels it
 */
record Scenario(String name, Engine engine, GuestKind guest, long ramBytes, int filledPerMille, RamPattern.Kind pattern,
        LongFunction<Workload> workload, long maxBandwidth, long downtimeLimitMillis,
        Optional<AutoConverge> autoConverge, Transfer transfer, Optional<String> baseline, Duration limit) {

    /**
     * Checks the members.
     *
     * @throws NullPointerException if a member is null
     */
    Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(autoConverge, "autoConverge");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(limit, "limit");
    }

    /**
     * A reference-guest scenario over the plain socket with random page data and no baseline.
     *
     * @param name the name
     * @param engine the engine
     * @param ramBytes the guest's RAM
     * @param filledPerMille pages in a thousand filled with random data
     * @param workload what a Tern guest's vCPUs do
     * @param maxBandwidth {@code max-bandwidth}
     * @param downtimeLimitMillis {@code downtime-limit}
     * @param autoConverge whether {@code auto-converge} is on, with QEMU's default throttle steps
     * @param limit the time limit
     */
    Scenario(String name, Engine engine, long ramBytes, int filledPerMille, LongFunction<Workload> workload,
            long maxBandwidth, long downtimeLimitMillis, boolean autoConverge, Duration limit) {
        this(name, engine, GuestKind.REFERENCE, ramBytes, filledPerMille, RamPattern.Kind.RANDOM, workload, maxBandwidth,
                downtimeLimitMillis, autoConverge ? Optional.of(AutoConverge.QEMU_DEFAULTS) : Optional.empty(),
                Transfer.plain(), Optional.empty(), limit);
    }

    /** Which implementation migrates. */
    enum Engine {
        /** Tern, source and destination in the harness's JVM, over TCP loopback. */
        TERN("tern"),
        /** QEMU 7.2, two {@code qemu-system-x86_64 -M none} processes, over TCP loopback. */
        QEMU("qemu 7.2");

        private final String label;

        Engine(String label) {
            this.label = label;
        }

        /**
         * The name in the table.
         *
         * @return for example {@code qemu 7.2}
         */
        String label() {
            return label;
        }
    }

    /**
     * The {@code auto-converge} capability's throttle steps: the first throttle and each further
     * step, applied at the syncs where the guest dirtied more than half of what was sent.
     *
     * @param initialPercent {@code cpu-throttle-initial}, 1 to 99
     * @param incrementPercent {@code cpu-throttle-increment}, 1 to 99
     */
    record AutoConverge(int initialPercent, int incrementPercent) {
        /** QEMU's defaults: 20%, then 10% more per step. */
        static final AutoConverge QEMU_DEFAULTS = new AutoConverge(20, 10);

        /**
         * Checks the ranges QEMU accepts.
         *
         * @throws IllegalArgumentException if a step is outside 1 to 99
         */
        AutoConverge {
            if (initialPercent < 1 || initialPercent > 99 || incrementPercent < 1 || incrementPercent > 99) {
                throw new IllegalArgumentException("throttle steps are 1 to 99: " + initialPercent + ", "
                        + incrementPercent);
            }
        }

        /**
         * Says what is set, for the log and the note column.
         *
         * @return {@code auto-converge on} with QEMU's defaults, otherwise for example
         *     {@code auto-converge on (throttle 50% + 20%)}
         */
        String describe() {
            return equals(QEMU_DEFAULTS) ? "auto-converge on"
                    : "auto-converge on (throttle " + initialPercent + "% + " + incrementPercent + "%)";
        }
    }

    /** What a Tern scenario migrates. */
    enum GuestKind {
        /** Core's {@code ReferenceGuest}: Java threads as vCPUs, a software dirty log. */
        REFERENCE("reference"),
        /** A {@code KvmGuest}: real vCPUs running the sweep guest, KVM's dirty log; needs {@code /dev/kvm}. */
        KVM("kvm");

        private final String label;

        GuestKind(String label) {
            this.label = label;
        }

        /**
         * The name in the table.
         *
         * @return {@code reference} or {@code kvm}
         */
        String label() {
            return label;
        }
    }

    /**
     * The table's guest column.
     *
     * @return {@code reference} or {@code kvm} for Tern; {@code none} for QEMU, whose
     *     {@code -M none} machine has no vCPU
     */
    String guestColumn() {
        return engine == Engine.QEMU ? "none" : guest.label();
    }

    /**
     * Says what the guest is, for the log.
     *
     * @return for example {@code 4 GiB, 10.0% of pages random data, 1 vCPU idle, ...}
     */
    String describe() {
        String data = pattern == RamPattern.Kind.RANDOM ? "random data" : "half-compressible data";
        String content = filledPerMille == 0 ? "all zero" : (filledPerMille / 10.0) + "% of pages " + data;
        String load = engine == Engine.QEMU ? "no vCPU (-M none, -S)"
                : guest == GuestKind.KVM ? KvmSweepRange.of(workload.apply(ramBytes), ramBytes).describe()
                : switch (workload.apply(ramBytes)) {
            case Workload.Idle _ -> "1 vCPU idle";
            case Workload.SequentialSweep sweep -> "1 vCPU sweeping " + ((sweep.toOffset() - sweep.fromOffset()) >> 20)
                    + " MiB at full speed";
            case Workload.UniformRandom random -> "random writes, " + random.pagesPerSecond() + " pages/s";
            case Workload.HotSet hot -> "hot-set writes, " + hot.pagesPerSecond() + " pages/s";
        };
        return RamSize.label(ramBytes) + ", " + content + ", " + load + ", max-bandwidth " + maxBandwidth
                + " B/s, downtime-limit " + downtimeLimitMillis + " ms" + autoConverge.map(a -> ", " + a.describe()).orElse("") + ", "
                + transfer.describe();
    }
}
