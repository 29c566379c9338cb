package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
