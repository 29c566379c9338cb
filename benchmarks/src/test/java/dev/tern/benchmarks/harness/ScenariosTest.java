package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The scenario catalogue and the command line's choice of scenarios. */
class ScenariosTest {
    private static final Map<String, Scenario> ALL = Scenarios.all(Duration.ofSeconds(60));

    private static List<String> names(List<String> words) {
        return Scenarios.select(ALL, words).stream().map(Scenario::name).toList();
    }

    @Test
    void multifdGroupIsEveryChannelCountAndCompressionAgainstItsPlainBaseline() {
        List<String> tern = ALL.keySet().stream().filter(n -> n.startsWith("multifd-")).toList();
        assertEquals(1 + 4 * 3, tern.size(), tern.toString());
        assertEquals("multifd-off-1g", tern.getFirst(), "the baseline runs first");
        for (MultiFdCompression compression : MultiFdCompression.values()) {
            for (int channels : List.of(1, 2, 4, 8)) {
                String name = "multifd-" + channels + "ch-" + compression.qapiName() + "-1g";
                Scenario s = ALL.get(name);
                assertEquals(Transfer.multifd(channels, compression), s.transfer(), name);
                assertEquals(Optional.of("multifd-off-1g"), s.baseline(), name);
                assertEquals(Scenario.Engine.TERN, s.engine());
                Scenario q = ALL.get("qemu-" + name);
                assertEquals(s.transfer(), q.transfer(), name);
                assertEquals(Optional.of("qemu-multifd-off-1g"), q.baseline(), "QEMU rows compare with QEMU's baseline");
                assertEquals(Scenario.Engine.QEMU, q.engine());
            }
        }
        Scenario off = ALL.get("multifd-off-1g");
        assertEquals(Transfer.plain(), off.transfer());
        assertEquals(Optional.empty(), off.baseline());
        for (String name : tern) {
            Scenario s = ALL.get(name);
            assertEquals(Scenarios.MULTIFD_RAM, s.ramBytes(), name);
            assertEquals(1000, s.filledPerMille(), "every page data, none zero: " + name);
            assertEquals(RamPattern.Kind.HALF_COMPRESSIBLE, s.pattern(), name);
            assertEquals(Scenarios.TRANSFER_LIMIT, s.limit(), name);
        }
    }

    @Test
    void compressGroup() {
        assertEquals(Transfer.compress(1), ALL.get("compress-1t-256m").transfer());
        assertEquals(Transfer.compress(2), ALL.get("qemu-compress-2t-256m").transfer());
        assertEquals(Optional.of("compress-off-256m"), ALL.get("compress-2t-256m").baseline());
        assertEquals(Optional.of("qemu-compress-off-256m"), ALL.get("qemu-compress-1t-256m").baseline());
        assertEquals(Transfer.plain(), ALL.get("compress-off-256m").transfer());
        assertEquals(Scenarios.COMPRESS_RAM, ALL.get("compress-1t-256m").ramBytes());
        assertEquals(2 * 3, ALL.keySet().stream().filter(n -> n.contains("compress-")).count());
    }

    @Test
    void warmUpsAreSharedByEngineAndPagePathNotByChannelCount() {
        assertEquals("tern multifd-zstd", Scenarios.warmUpKey(ALL.get("multifd-1ch-zstd-1g")));
        assertEquals("tern multifd-zstd", Scenarios.warmUpKey(ALL.get("multifd-8ch-zstd-1g")));
        assertEquals("tern multifd-none", Scenarios.warmUpKey(ALL.get("multifd-8ch-none-1g")));
        assertEquals("qemu 7.2 multifd-zlib", Scenarios.warmUpKey(ALL.get("qemu-multifd-2ch-zlib-1g")));
        assertEquals("tern plain", Scenarios.warmUpKey(ALL.get("multifd-off-1g")));
        assertEquals("tern plain", Scenarios.warmUpKey(ALL.get("idle-4g")));
        assertEquals("tern compress", Scenarios.warmUpKey(ALL.get("compress-2t-256m")));
        Scenario w = Scenarios.warmUp(ALL.get("qemu-multifd-4ch-zlib-1g"));
        assertEquals(Scenario.Engine.QEMU, w.engine());
        assertEquals(Transfer.multifd(4, MultiFdCompression.ZLIB), w.transfer());
        assertEquals(Scenarios.WARM_UP_RAM, w.ramBytes());
        assertEquals(Optional.empty(), w.baseline(), "a warm-up is not compared with anything");
        assertEquals("warm-up qemu 7.2 multifd-zlib", w.name());
    }

    @Test
    void everyBaselineIsAScenarioOfTheSameEngineThatRunsBeforeIt() {
        List<String> order = List.copyOf(ALL.keySet());
        for (Scenario s : ALL.values()) {
            s.baseline().ifPresent(b -> {
                assertTrue(ALL.containsKey(b), s.name() + " -> " + b);
                assertEquals(s.engine(), ALL.get(b).engine(), s.name());
                assertTrue(order.indexOf(b) < order.indexOf(s.name()), s.name());
            });
        }
    }

    @Test
    void kvmGroupPairsEachKvmRowWithItsReferenceTwinRunFirst() {
        List<String> group = names(List.of("kvm"));
        assertEquals(List.of("ref-idle-1g", "kvm-idle-1g", "ref-sweep-1g", "kvm-sweep-1g", "ref-idle-4064m",
                "kvm-idle-4064m", "ref-sweep-4064m", "kvm-sweep-4064m"), group);
        for (String name : group) {
            Scenario s = ALL.get(name);
            assertEquals(Scenario.Engine.TERN, s.engine(), name);
            assertEquals(Transfer.plain(), s.transfer(), name);
            boolean kvm = name.startsWith("kvm-");
            assertEquals(kvm ? Scenario.GuestKind.KVM : Scenario.GuestKind.REFERENCE, s.guest(), name);
            assertEquals(kvm ? Optional.of("ref-" + name.substring(4)) : Optional.empty(), s.baseline(), name);
            boolean sweep = name.contains("-sweep-");
            assertEquals(sweep ? Optional.of(new Scenario.AutoConverge(50, 20)) : Optional.empty(), s.autoConverge(),
                    "auto-converge exactly on the sweeping rows: " + name);
            assertEquals(sweep ? 0 : 100, s.filledPerMille(), name);
            assertEquals(sweep ? Duration.ofSeconds(60) : Duration.ofSeconds(120), s.limit(), name);
        }
        assertEquals(1L << 30, ALL.get("kvm-idle-1g").ramBytes());
        assertEquals(4064L << 20, ALL.get("kvm-sweep-4064m").ramBytes(), "the largest KVM guest, not 4 GiB");
        Scenario twin = ALL.get("ref-sweep-4064m");
        Scenario row = ALL.get("kvm-sweep-4064m");
        assertEquals(twin.ramBytes(), row.ramBytes());
        assertEquals(twin.workload().apply(twin.ramBytes()), row.workload().apply(row.ramBytes()),
                "both guests sweep the same range");
        assertEquals(twin.maxBandwidth(), row.maxBandwidth());
        assertEquals(twin.downtimeLimitMillis(), row.downtimeLimitMillis());
    }

    @Test
    void kvmRowsDescribeTheSweepTheKvmGuestRuns() {
        String idle = ALL.get("kvm-idle-1g").describe();
        assertTrue(idle.startsWith("1 GiB, 10.0% of pages random data, 1 KVM vCPU sweeping 1 page at 0x100000 (idle), "),
                idle);
        String sweep = ALL.get("kvm-sweep-4064m").describe();
        assertTrue(sweep.contains("1 KVM vCPU sweeping 4063 MiB at full speed") && sweep.contains("auto-converge on (throttle 50% + 20%)"),
                sweep);
        assertTrue(ALL.get("ref-sweep-1g").describe().contains("1 vCPU sweeping 1023 MiB at full speed"));
        assertEquals("kvm", ALL.get("kvm-idle-1g").guestColumn());
        assertEquals("reference", ALL.get("ref-idle-1g").guestColumn());
        assertEquals("none", ALL.get("qemu-idle-4g").guestColumn());
    }

    @Test
    void autoConvergeStepsAreCheckedAndDescribed() {
        assertEquals("auto-converge on", Scenario.AutoConverge.QEMU_DEFAULTS.describe());
        assertEquals("auto-converge on (throttle 50% + 20%)", new Scenario.AutoConverge(50, 20).describe());
        assertEquals(Optional.of(Scenario.AutoConverge.QEMU_DEFAULTS), ALL.get("sweep-1g-autoconverge").autoConverge());
        assertEquals(Optional.empty(), ALL.get("sweep-1g").autoConverge());
        assertEquals(99, new Scenario.AutoConverge(99, 1).initialPercent(), "the edges are accepted");
        assertThrows(IllegalArgumentException.class, () -> new Scenario.AutoConverge(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Scenario.AutoConverge(20, 100));
    }

    @Test
    void withoutKvmTheKvmRowsAndTheTwinsOnlyTheyBroughtAreLeftOut() {
        Predicate<Scenario> noKvm = s -> s.guest() != Scenario.GuestKind.KVM;
        assertEquals(List.of(), Scenarios.select(ALL, List.of("kvm"), noKvm), "the word matched: no error, nothing runs");
        assertEquals(List.of(), Scenarios.select(ALL, List.of("kvm-idle-1g"), noKvm));
        assertEquals(List.of("ref-sweep-1g"), Scenarios.select(ALL, List.of("kvm", "ref-sweep-1g"), noKvm).stream()
                .map(Scenario::name).toList(), "a twin named on its own still runs");
        List<String> everything = Scenarios.select(ALL, List.of(), noKvm).stream().map(Scenario::name).toList();
        assertEquals(ALL.size() - 4, everything.size());
        assertTrue(everything.stream().noneMatch(n -> n.startsWith("kvm-")), everything.toString());
        assertThrows(IllegalArgumentException.class, () -> Scenarios.select(ALL, List.of("kvmx"), noKvm));
        assertEquals(names(List.of("multifd")), Scenarios.select(ALL, List.of("multifd"), noKvm).stream()
                .map(Scenario::name).toList(), "other groups are not affected");
    }

    @Test
    void kvmRowsWarmUpWithAKvmGuest() {
        assertEquals("tern kvm plain", Scenarios.warmUpKey(ALL.get("kvm-sweep-1g")));
        assertEquals("tern plain", Scenarios.warmUpKey(ALL.get("ref-sweep-1g")), "the twins share idle-4g's warm-up");
        Scenario w = Scenarios.warmUp(ALL.get("kvm-idle-4064m"));
        assertEquals(Scenario.GuestKind.KVM, w.guest());
        assertEquals(Scenarios.WARM_UP_RAM, w.ramBytes());
        assertEquals("warm-up tern kvm plain", w.name());
        assertEquals(Scenario.GuestKind.REFERENCE, Scenarios.warmUp(ALL.get("idle-4g")).guest());
    }

    @Test
    void noWordsSelectEverything() {
        assertEquals(List.copyOf(ALL.keySet()), names(List.of()));
    }

    @Test
    void anExactNameSelectsThatScenarioAlone() {
        assertEquals(List.of("idle-4g"), names(List.of("idle-4g")));
        assertEquals(List.of("qemu-idle-4g"), names(List.of("qemu-idle-4g")));
        assertEquals(List.of("sweep-1g"), names(List.of("sweep-1g")), "not sweep-1g-autoconverge too");
    }

    @Test
    void aGroupWordSelectsBothEnginesInRunOrder() {
        List<String> multifd = names(List.of("multifd"));
        assertEquals(2 * 13, multifd.size(), multifd.toString());
        assertEquals("multifd-off-1g", multifd.getFirst());
        assertTrue(multifd.contains("qemu-multifd-8ch-zlib-1g"), multifd.toString());
        assertTrue(multifd.stream().noneMatch(n -> n.contains("compress")), multifd.toString());
        assertEquals(List.of("idle-4g", "qemu-idle-4g"), names(List.of("idle")));
        assertEquals(List.of("sweep-1g", "sweep-1g-autoconverge"), names(List.of("sweep")));
    }

    @Test
    void theQemuPrefixSelectsOnlyQemu() {
        List<String> qemu = names(List.of("qemu-multifd"));
        assertEquals(13, qemu.size(), qemu.toString());
        assertTrue(qemu.stream().allMatch(n -> n.startsWith("qemu-multifd-")), qemu.toString());
        assertTrue(names(List.of("qemu")).stream().allMatch(n -> n.startsWith("qemu-")));
    }

    @Test
    void aSelectedRowBringsItsBaseline() {
        assertEquals(List.of("multifd-off-1g", "multifd-4ch-none-1g", "multifd-4ch-zlib-1g", "multifd-4ch-zstd-1g",
                "qemu-multifd-off-1g", "qemu-multifd-4ch-none-1g", "qemu-multifd-4ch-zlib-1g",
                "qemu-multifd-4ch-zstd-1g"), names(List.of("multifd-4ch")));
        assertEquals(List.of("compress-off-256m", "compress-2t-256m"), names(List.of("compress-2t-256m")));
    }

    @Test
    void wordsCombineWithoutRepeats() {
        assertEquals(List.of("idle-4g", "multifd-off-1g", "multifd-1ch-zstd-1g"),
                names(List.of("multifd-1ch-zstd-1g", "idle-4g", "multifd-off-1g")));
    }

    @Test
    void aWordThatSelectsNothingIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> names(List.of("multif")));
        assertTrue(e.getMessage().startsWith("no scenario is or starts with multif; known: idle-4g, "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> names(List.of("idle-4g", "multifd-3ch")));
    }
}
