package dev.tern.benchmarks.harness;

import dev.tern.api.MultiFdCompression;
import dev.tern.core.guest.Workload;
import dev.tern.kvm.KvmGuest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * The harness's scenarios, by name in run order, and the choice of the ones a command line asks for.
 *
 * <p>Groups share a name prefix: {@code multifd-...} (and {@code qemu-multifd-...}) migrate
 * {@link #MULTIFD_RAM} bytes (1 GiB) of half-compressible, non-zero, idle RAM with multifd on 1,
 * 2, 4 and 8 channels and each {@code multifd-compression}, against {@code multifd-off-...}, the
 * same migration over the plain socket; {@code compress-...} does the same for the legacy
 * {@code compress} capability with 1 and 2 {@code compress-threads} on {@link #COMPRESS_RAM}
 * bytes (256 MiB); {@code kvm-...} migrates KVM guests ({@link Scenario.GuestKind#KVM}) of
 * {@link #KVM_RAM} idle and sweeping, each against its reference-guest twin {@code ref-...} of the
 * same size, RAM contents and migration settings.
 */
final class Scenarios {
    /** A QEMU baseline scenario's name is the Tern scenario's with this prefix. */
    static final String QEMU_PREFIX = "qemu-";
    /** The multifd group's name prefix. */
    static final String MULTIFD = "multifd";
    /** The legacy compress group's name prefix. */
    static final String COMPRESS = "compress";
    /** The multifd channel counts measured. */
    static final List<Integer> MULTIFD_CHANNELS = List.of(1, 2, 4, 8);
    /** The KVM group's name prefix. */
    static final String KVM = "kvm";
    /** The name prefix of the KVM rows' reference-guest twins, their baselines. */
    static final String REFERENCE_TWIN = "ref";
    /** The legacy compress thread counts measured. */
    static final List<Integer> COMPRESS_THREADS = List.of(1, 2);

    private static final long GIB = 1L << 30;
    /** The RAM of every multifd scenario: change it here, the names follow. */
    static final long MULTIFD_RAM = GIB;
    /**
     * The RAM of every compress scenario, smaller than multifd's: QEMU 7.2's legacy compression
     * with one thread moves about 30 MB/s of guest pages on this machine.
     */
    static final long COMPRESS_RAM = 256L << 20;
    /**
     * The KVM group's guest sizes: 1 GiB and the largest KVM guest, {@link KvmGuest#MAX_RAM}
     * (4064 MiB, not 4 GiB: the one RAM slot must end below the pages Intel's KVM keeps under 4 GiB).
     */
    static final List<Long> KVM_RAM = List.of(GIB, KvmGuest.MAX_RAM);
    /** Pages in a thousand of random data in the KVM group's idle guests, as {@code idle-4g}. */
    static final int KVM_IDLE_FILLED_PER_MILLE = 100;
    /**
     * The KVM group's sweeping pairs' throttle steps: 50%, then 20% more per step, as the KVM
     * auto-converge test uses, so the 4064 MiB reference sweep converges within the time limit
     * (with QEMU's 20% + 10% it was still running at 80% after 60 s).
     */
    static final Scenario.AutoConverge KVM_SWEEP_THROTTLE = new Scenario.AutoConverge(50, 20);
    /** The RAM of a warm-up migration. */
    static final long WARM_UP_RAM = 256L << 20;
    /**
     * Per-run limit of the multifd and compress groups, so a slow run cannot hold up the group;
     * QEMU 7.2's multifd zlib on one channel needs about 32 s for 1 GiB here.
     */
    static final Duration TRANSFER_LIMIT = Duration.ofSeconds(45);
    private static final long FAST = 100_000_000_000L;
    private static final long DOWNTIME_LIMIT = 300;

    private Scenarios() {
    }

    /**
     * Every scenario.
     *
     * @param dirtyLimit the time limit of the scenarios whose guest keeps writing
     * @return the scenarios by name, in run order
     */
    static Map<String, Scenario> all(Duration dirtyLimit) {
        Duration idleLimit = Duration.ofSeconds(120);
        List<Scenario> list = new ArrayList<>(List.of(
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
                        FAST, DOWNTIME_LIMIT, true, dirtyLimit)));
        for (Scenario.Engine engine : Scenario.Engine.values()) {
            list.addAll(multifdGroup(engine));
        }
        for (Scenario.Engine engine : Scenario.Engine.values()) {
            list.addAll(compressGroup(engine));
        }
        list.addAll(kvmGroup(idleLimit, dirtyLimit));
        Map<String, Scenario> all = new LinkedHashMap<>();
        for (Scenario s : list) {
            if (all.put(s.name(), s) != null) {
                throw new IllegalStateException("two scenarios named " + s.name());
            }
        }
        return all;
    }

    /** The multifd group of one engine: its plain-socket baseline first, then channels by compression. */
    private static List<Scenario> multifdGroup(Scenario.Engine engine) {
        String off = name(engine, MULTIFD + "-off", MULTIFD_RAM);
        List<Scenario> group = new ArrayList<>(List.of(transferScenario(off, engine, MULTIFD_RAM, Transfer.plain(),
                Optional.empty())));
        for (MultiFdCompression compression : MultiFdCompression.values()) {
            for (int channels : MULTIFD_CHANNELS) {
                group.add(transferScenario(name(engine, MULTIFD + "-" + channels + "ch-" + compression.qapiName(),
                        MULTIFD_RAM), engine, MULTIFD_RAM, Transfer.multifd(channels, compression), Optional.of(off)));
            }
        }
        return group;
    }

    /** The legacy compress group of one engine: its plain-socket baseline first. */
    private static List<Scenario> compressGroup(Scenario.Engine engine) {
        String off = name(engine, COMPRESS + "-off", COMPRESS_RAM);
        List<Scenario> group = new ArrayList<>(List.of(transferScenario(off, engine, COMPRESS_RAM, Transfer.plain(),
                Optional.empty())));
        for (int threads : COMPRESS_THREADS) {
            group.add(transferScenario(name(engine, COMPRESS + "-" + threads + "t", COMPRESS_RAM), engine, COMPRESS_RAM,
                    Transfer.compress(threads), Optional.of(off)));
        }
        return group;
    }

    /**
     * The KVM group: for each size, idle and sweeping, a reference-guest twin and then the KVM
     * row compared with it. An idle KVM guest sweeps one page ({@link KvmSweepRange}); the idle
     * pair has {@value #KVM_IDLE_FILLED_PER_MILLE} pages in a thousand random data. Both guests
     * of a sweeping pair sweep from {@link KvmGuest#DEFAULT_SWEEP_START} to the end of RAM at
     * full speed. The reference guest's sweep outruns the link for good (no switchover in 60 s
     * without a throttle), so both guests of a sweeping pair run with {@code auto-converge} and
     * {@link #KVM_SWEEP_THROTTLE}; the throttle column shows how far each was throttled.
     */
    private static List<Scenario> kvmGroup(Duration idleLimit, Duration dirtyLimit) {
        List<Scenario> group = new ArrayList<>();
        for (long ram : KVM_RAM) {
            group.addAll(kvmPair("idle", ram, KVM_IDLE_FILLED_PER_MILLE, size -> Workload.idle(), Optional.empty(),
                    idleLimit));
            group.addAll(kvmPair("sweep", ram, 0, size -> Workload.sequentialSweep(KvmGuest.DEFAULT_SWEEP_START, size),
                    Optional.of(KVM_SWEEP_THROTTLE), dirtyLimit));
        }
        return group;
    }

    private static List<Scenario> kvmPair(String stem, long ramBytes, int filledPerMille, LongFunction<Workload> workload,
            Optional<Scenario.AutoConverge> autoConverge, Duration limit) {
        String twin = REFERENCE_TWIN + "-" + stem + "-" + RamSize.tag(ramBytes);
        return List.of(
                new Scenario(twin, Scenario.Engine.TERN, Scenario.GuestKind.REFERENCE, ramBytes, filledPerMille,
                        RamPattern.Kind.RANDOM, workload, FAST, DOWNTIME_LIMIT, autoConverge, Transfer.plain(),
                        Optional.empty(), limit),
                new Scenario(KVM + "-" + stem + "-" + RamSize.tag(ramBytes), Scenario.Engine.TERN, Scenario.GuestKind.KVM,
                        ramBytes, filledPerMille, RamPattern.Kind.RANDOM, workload, FAST, DOWNTIME_LIMIT, autoConverge,
                        Transfer.plain(), Optional.of(twin), limit));
    }

    private static String name(Scenario.Engine engine, String stem, long ramBytes) {
        return (engine == Scenario.Engine.QEMU ? QEMU_PREFIX : "") + stem + "-" + RamSize.tag(ramBytes);
    }

    private static Scenario transferScenario(String name, Scenario.Engine engine, long ramBytes, Transfer transfer,
            Optional<String> baseline) {
        // every page data, none zero: the zero-page shortcut would leave compression and channels idle
        return new Scenario(name, engine, Scenario.GuestKind.REFERENCE, ramBytes, 1000, RamPattern.Kind.HALF_COMPRESSIBLE,
                ram -> Workload.idle(), FAST, DOWNTIME_LIMIT, Optional.empty(), transfer, baseline, TRANSFER_LIMIT);
    }

    /**
     * The scenarios the command line names. A word that is a scenario's name selects that
     * scenario alone; any other word selects every scenario whose name, with or without the
     * {@value #QEMU_PREFIX} prefix, starts with the word and a {@code -}: {@code multifd} is the
     * whole multifd group on both engines, {@code qemu-multifd} its QEMU half, {@code multifd-4ch}
     * the four-channel rows, {@code qemu} every QEMU scenario, {@code kvm} the KVM rows with their
     * reference twins. A selected scenario brings its baseline, so its row always has a ratio. No
     * words select everything.
     *
     * @param all the scenarios, in run order
     * @param words the command line's scenario words
     * @return the selected scenarios in run order (baselines before the rows compared with them)
     * @throws IllegalArgumentException if a word selects nothing
     */
    static List<Scenario> select(Map<String, Scenario> all, List<String> words) {
        return select(all, words, s -> true);
    }

    /**
     * The scenarios the command line names that this host can run: as {@link #select(Map, List)},
     * but a scenario that is not {@code runnable} is left out, and so is a baseline that only it
     * brought (a KVM row's reference twin, without KVM). A word that selects only scenarios that
     * cannot run is not an error: the caller says why they are skipped.
     *
     * @param all the scenarios, in run order
     * @param words the command line's scenario words
     * @param runnable whether this host can run a scenario
     * @return the selected runnable scenarios in run order
     * @throws IllegalArgumentException if a word selects nothing, runnable or not
     */
    static List<Scenario> select(Map<String, Scenario> all, List<String> words, Predicate<Scenario> runnable) {
        if (words.isEmpty()) {
            return all.values().stream().filter(runnable).toList();
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String word : words) {
            List<String> matches = all.containsKey(word) ? List.of(word)
                    : all.keySet().stream().filter(name -> inGroup(name, word)).toList();
            if (matches.isEmpty()) {
                throw new IllegalArgumentException("no scenario is or starts with " + word + "; known: "
                        + String.join(", ", all.keySet()));
            }
            for (String match : matches) {
                Scenario s = all.get(match);
                if (runnable.test(s)) {
                    chosen.add(match);
                    s.baseline().filter(all::containsKey).filter(b -> runnable.test(all.get(b))).ifPresent(chosen::add);
                }
            }
        }
        return all.values().stream().filter(s -> chosen.contains(s.name())).toList();
    }

    /**
     * What a warm-up migration is shared by: the engine, a Tern scenario's guest kind when it is
     * not the reference guest, and the code path the pages take (plain, multifd with one
     * compression, or compress), whatever the channel or thread count. The
     * first run of a path in a JVM pays for class loading and JIT compilation, which would
     * otherwise land on whichever row runs first, usually a baseline.
     *
     * @param scenario a scenario
     * @return for example {@code tern multifd-zstd}, {@code tern kvm plain}
     */
    static String warmUpKey(Scenario scenario) {
        Transfer t = scenario.transfer();
        String path = t.multifd() ? MULTIFD + "-" + t.multifdCompression().qapiName() : t.compress() ? COMPRESS : "plain";
        String guest = scenario.engine() == Scenario.Engine.TERN && scenario.guest() != Scenario.GuestKind.REFERENCE
                ? " " + scenario.guest().label() : "";
        return scenario.engine().label() + guest + " " + path;
    }

    /**
     * The warm-up migration run before the first scenario of its {@link #warmUpKey}: the same
     * engine, guest kind and transfer over {@link #WARM_UP_RAM} of half-compressible idle RAM, not
     * reported.
     *
     * @param scenario the scenario it prepares
     * @return the warm-up scenario
     */
    static Scenario warmUp(Scenario scenario) {
        return new Scenario("warm-up " + warmUpKey(scenario), scenario.engine(), scenario.guest(), WARM_UP_RAM, 1000,
                RamPattern.Kind.HALF_COMPRESSIBLE, ram -> Workload.idle(), FAST, DOWNTIME_LIMIT, Optional.empty(),
                scenario.transfer(), Optional.empty(), TRANSFER_LIMIT);
    }

    private static boolean inGroup(String name, String word) {
        String prefix = word + "-";
        return name.startsWith(prefix)
                || (name.startsWith(QEMU_PREFIX) && name.substring(QEMU_PREFIX.length()).startsWith(prefix));
    }
}
