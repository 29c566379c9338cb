package dev.tern.core.parameter;

import static dev.tern.core.parameter.Params.NO_CAPS;
import static dev.tern.core.parameter.Params.TWO_TO_63;
import static dev.tern.core.parameter.Params.U64_MAX;
import static dev.tern.core.parameter.Params.ZERO_COPY;
import static dev.tern.core.parameter.Params.ZERO_COPY_MESSAGE;
import static dev.tern.core.parameter.Params.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.BitmapMigrationNodeAlias;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationException;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.ParameterException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** QEMU's {@code migrate_params_check}: every range with both edges, the cross-field rules and the evaluation order. */
class ParameterRulesTest {

    // ---- ranges -----------------------------------------------------------------------------

    @Nested
    class Ranges {
        private static Arguments ok(String name, long value) {
            return Arguments.of(name, value, null);
        }

        private static Arguments bad(String name, long value, String message) {
            return Arguments.of(name, value, message);
        }

        static Stream<Arguments> boundaries() {
            String announceInitial = "Parameter 'announce_initial' expects a value between 0 and 100000";
            String announceMax = "Parameter 'announce_max' expects a value between 0 and 100000";
            String announceRounds = "Parameter 'announce_rounds' expects a value between 0 and 1000";
            String announceStep = "Parameter 'announce_step' expects a value between 0 and 10000";
            String compressLevel = "Parameter 'compress_level' expects a value between 0 and 9";
            String compressThreads = "Parameter 'compress_threads' expects a value between 1 and 255";
            String decompressThreads = "Parameter 'decompress_threads' expects a value between 1 and 255";
            String threshold = "Parameter 'throttle_trigger_threshold' expects an integer in the range of 1 to 100";
            String initial = "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99";
            String increment = "Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99";
            String downtime = "Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 ms";
            String channels = "Parameter 'multifd_channels' expects a value between 1 and 255";
            String xbzrle = "Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size";
            String maxThrottle = "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99";
            String zlib = "Parameter 'multifd_zlib_level' expects a value between 0 and 9";
            String zstd = "Parameter 'multifd_zstd_level' expects a value between 0 and 20";
            return Stream.of(
                    ok("announce-initial", 0), ok("announce-initial", 100_000),
                    bad("announce-initial", 100_001, announceInitial), bad("announce-initial", TWO_TO_63, announceInitial),
                    bad("announce-initial", U64_MAX, announceInitial),
                    ok("announce-max", 0), ok("announce-max", 100_000),
                    bad("announce-max", 100_001, announceMax), bad("announce-max", TWO_TO_63, announceMax),
                    ok("announce-rounds", 0), ok("announce-rounds", 1000),
                    bad("announce-rounds", 1001, announceRounds), bad("announce-rounds", TWO_TO_63, announceRounds),
                    bad("announce-step", 0, announceStep), ok("announce-step", 1), ok("announce-step", 10_000),
                    bad("announce-step", 10_001, announceStep), bad("announce-step", TWO_TO_63, announceStep),
                    bad("announce-step", U64_MAX, announceStep),
                    ok("compress-level", 0), ok("compress-level", 9), bad("compress-level", 10, compressLevel),
                    bad("compress-level", 255, compressLevel),
                    bad("compress-threads", 0, compressThreads), ok("compress-threads", 1), ok("compress-threads", 255),
                    bad("decompress-threads", 0, decompressThreads), ok("decompress-threads", 1),
                    ok("decompress-threads", 255),
                    bad("throttle-trigger-threshold", 0, threshold), ok("throttle-trigger-threshold", 1),
                    ok("throttle-trigger-threshold", 100), bad("throttle-trigger-threshold", 101, threshold),
                    bad("cpu-throttle-initial", 0, initial), ok("cpu-throttle-initial", 1), ok("cpu-throttle-initial", 99),
                    bad("cpu-throttle-initial", 100, initial),
                    bad("cpu-throttle-increment", 0, increment), ok("cpu-throttle-increment", 1),
                    ok("cpu-throttle-increment", 99), bad("cpu-throttle-increment", 100, increment),
                    ok("max-bandwidth", 0), ok("max-bandwidth", 9), ok("max-bandwidth", Long.MAX_VALUE),
                    ok("max-bandwidth", TWO_TO_63), ok("max-bandwidth", U64_MAX),
                    ok("downtime-limit", 0), ok("downtime-limit", 2_000_000), bad("downtime-limit", 2_000_001, downtime),
                    bad("downtime-limit", Long.MAX_VALUE, downtime), bad("downtime-limit", TWO_TO_63, downtime),
                    bad("downtime-limit", U64_MAX, downtime),
                    ok("x-checkpoint-delay", 0), ok("x-checkpoint-delay", 0xFFFF_FFFFL),
                    bad("multifd-channels", 0, channels), ok("multifd-channels", 1), ok("multifd-channels", 255),
                    ok("xbzrle-cache-size", 4096), ok("xbzrle-cache-size", 8192), ok("xbzrle-cache-size", 1L << 30),
                    ok("xbzrle-cache-size", TWO_TO_63),
                    bad("xbzrle-cache-size", 0, xbzrle), bad("xbzrle-cache-size", 1, xbzrle),
                    bad("xbzrle-cache-size", 2048, xbzrle), bad("xbzrle-cache-size", 4095, xbzrle),
                    bad("xbzrle-cache-size", 4097, xbzrle), bad("xbzrle-cache-size", 12_288, xbzrle),
                    bad("xbzrle-cache-size", Long.MAX_VALUE, xbzrle), bad("xbzrle-cache-size", U64_MAX, xbzrle),
                    ok("max-postcopy-bandwidth", 0), ok("max-postcopy-bandwidth", U64_MAX),
                    bad("max-cpu-throttle", 0, maxThrottle), bad("max-cpu-throttle", 19, maxThrottle),
                    ok("max-cpu-throttle", 20), ok("max-cpu-throttle", 99), bad("max-cpu-throttle", 100, maxThrottle),
                    bad("max-cpu-throttle", 255, maxThrottle),
                    ok("multifd-zlib-level", 0), ok("multifd-zlib-level", 9), bad("multifd-zlib-level", 10, zlib),
                    ok("multifd-zstd-level", 0), ok("multifd-zstd-level", 20), bad("multifd-zstd-level", 21, zstd));
        }

        @ParameterizedTest(name = "{0} = {1}")
        @MethodSource("boundaries")
        void boundary(String name, long value, String message) {
            ParameterStore store = new ParameterStore();
            if (message == null) {
                MigrationParameters result = store.apply(Members.set(name, value), NO_CAPS);
                assertEquals(value, Members.getLong(result, name));
                assertEquals(value, Members.getLong(store.current(), name));
            } else {
                assertRejected(message, store, Members.set(name, value), NO_CAPS);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"compress-level", "compress-threads", "decompress-threads", "throttle-trigger-threshold",
                "cpu-throttle-initial", "cpu-throttle-increment", "multifd-channels", "max-cpu-throttle",
                "multifd-zlib-level", "multifd-zstd-level"})
        void uint8MembersStopAt255InTheQapiType(String name) {
            // 256 never reaches the rules: the request's QAPI type refuses it first.
            MigrationException e = assertThrows(MigrationException.class, () -> Members.set(name, 256));
            assertEquals("Parameter '" + name + "' expects uint8_t", e.getMessage());
        }
    }

    // ---- cross-field rules ------------------------------------------------------------------

    @Nested
    class MaxCpuThrottle {
        private static final String MESSAGE =
                "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99";

        @Test
        void raisingOnlyTheInitialAboveTheMaximumIsReportedAgainstTheMaximum() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().maxCpuThrottle(40).build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().cpuThrottleInitial(40).build(), NO_CAPS);
            assertRejected(MESSAGE, store, MigrateSetParameters.builder().cpuThrottleInitial(41).build(), NO_CAPS);
            assertEquals(40, Members.getLong(store.current(), "cpu-throttle-initial"));
        }

        @Test
        void loweringTheMaximumBelowTheCurrentInitialIsRefused() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().cpuThrottleInitial(50).build(), NO_CAPS);
            assertRejected(MESSAGE, store, MigrateSetParameters.builder().maxCpuThrottle(49).build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().maxCpuThrottle(50).build(), NO_CAPS);
            assertEquals(50, Members.getLong(store.current(), "max-cpu-throttle"));
        }

        @Test
        void bothInOneRequestAreJudgedTogether() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().maxCpuThrottle(30).build(), NO_CAPS);
            // Raising the initial alone would break the rule; raising both together does not.
            assertRejected(MESSAGE, store, MigrateSetParameters.builder().cpuThrottleInitial(60).build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().cpuThrottleInitial(60).maxCpuThrottle(70).build(), NO_CAPS);
            assertEquals(60, Members.getLong(store.current(), "cpu-throttle-initial"));
            assertEquals(70, Members.getLong(store.current(), "max-cpu-throttle"));
            assertRejected(MESSAGE, store, MigrateSetParameters.builder().cpuThrottleInitial(80).maxCpuThrottle(75).build(),
                    NO_CAPS);
        }

        @Test
        void equalValuesAreAccepted() {
            ParameterStore store = new ParameterStore();
            MigrationParameters p = store.apply(MigrateSetParameters.builder().cpuThrottleInitial(99).build(), NO_CAPS);
            assertEquals(99, Members.getLong(p, "cpu-throttle-initial"));
            assertEquals(99, Members.getLong(p, "max-cpu-throttle"));
        }

        @Test
        void anInvalidInitialIsReportedBeforeTheMaximum() {
            assertRejected("Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
                    MigrateSetParameters.builder().cpuThrottleInitial(100).build());
        }
    }

    @Nested
    class ZeroCopySend {
        @ParameterizedTest
        @EnumSource(value = MultiFdCompression.class, names = {"ZLIB", "ZSTD"})
        void multifdCompressionIsRefused(MultiFdCompression method) {
            assertRejected(ZERO_COPY_MESSAGE, new ParameterStore(),
                    MigrateSetParameters.builder().multifdCompression(method).build(), ZERO_COPY);
        }

        @Test
        void tlsIsRefused() {
            assertRejected(ZERO_COPY_MESSAGE, new ParameterStore(), MigrateSetParameters.builder().tlsCreds("tls0").build(),
                    ZERO_COPY);
        }

        @Test
        void plainValuesAreAccepted() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().multifdCompression(MultiFdCompression.NONE).tlsCreds("")
                    .tlsHostname("host").tlsAuthz("authz0").multifdChannels(8).build(), ZERO_COPY);
            assertEquals(8, Members.getLong(store.current(), "multifd-channels"));
        }

        @Test
        void withoutZeroCopyBothAreAccepted() {
            ParameterStore store = new ParameterStore();
            MigrationParameters p = store.apply(MigrateSetParameters.builder()
                    .multifdCompression(MultiFdCompression.ZSTD).tlsCreds("tls0").build(), EnumSet.of(MigrationCapability.MULTIFD));
            assertEquals(Optional.of(MultiFdCompression.ZSTD), p.multifdCompression());
            assertEquals(Optional.of("tls0"), p.tlsCreds());
        }

        @Test
        void theMergedValuesAreJudgedSoAnUnrelatedSetFailsToo() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().tlsCreds("tls0").build(), NO_CAPS);
            // zero-copy-send turned on afterwards (QEMU's capability check would refuse that,
            // but the parameter check must still hold on its own).
            assertRejected(ZERO_COPY_MESSAGE, store, MigrateSetParameters.builder().downtimeLimit(100).build(), ZERO_COPY);
            store.apply(MigrateSetParameters.builder().tlsCreds("").downtimeLimit(100).build(), ZERO_COPY);
            assertEquals(Optional.of(""), store.current().tlsCreds());
        }

        @Test
        void zeroCopyIsTheLastRule() {
            assertRejected("Parameter 'announce_step' expects a value between 0 and 10000", new ParameterStore(),
                    MigrateSetParameters.builder().tlsCreds("tls0").announceStep(0).build(), ZERO_COPY);
        }
    }

    // ---- rule order -------------------------------------------------------------------------

    @Nested
    class Order {
        private static final List<UnaryOperator<MigrateSetParameters.Builder>> INVALID_IN_QEMU_ORDER = List.of(
                b -> b.compressLevel(10),
                b -> b.compressThreads(0),
                b -> b.decompressThreads(0),
                b -> b.throttleTriggerThreshold(0),
                b -> b.cpuThrottleInitial(0),
                b -> b.cpuThrottleIncrement(0),
                b -> b.downtimeLimit(2_000_001),
                b -> b.multifdChannels(0),
                b -> b.multifdZlibLevel(10),
                b -> b.multifdZstdLevel(21),
                b -> b.xbzrleCacheSize(0),
                b -> b.maxCpuThrottle(100),
                b -> b.announceInitial(100_001),
                b -> b.announceMax(100_001),
                b -> b.announceRounds(1001),
                b -> b.announceStep(0),
                b -> b.blockBitmapMapping(List.of(new BitmapMigrationNodeAlias("node0", "0bad", List.of()))),
                b -> b.tlsCreds("tls0"));

        private static String messageOf(UnaryOperator<MigrateSetParameters.Builder> invalid) {
            return assertThrows(ParameterException.class,
                    () -> new ParameterStore().apply(invalid.apply(MigrateSetParameters.builder()).build(), ZERO_COPY))
                    .getMessage();
        }

        static Stream<Arguments> consecutive() {
            return IntStream.range(0, INVALID_IN_QEMU_ORDER.size() - 1).mapToObj(i -> Arguments.of(i, i + 1));
        }

        @ParameterizedTest(name = "rule {0} before rule {1}")
        @MethodSource("consecutive")
        void earlierRuleIsReported(int first, int second) {
            MigrateSetParameters both = INVALID_IN_QEMU_ORDER.get(second)
                    .apply(INVALID_IN_QEMU_ORDER.get(first).apply(MigrateSetParameters.builder())).build();
            assertRejected(messageOf(INVALID_IN_QEMU_ORDER.get(first)), new ParameterStore(), both, ZERO_COPY);
        }

        @Test
        void everyRuleHasItsOwnMessage() {
            List<String> messages = INVALID_IN_QEMU_ORDER.stream().map(Order::messageOf).toList();
            assertEquals(messages.size(), messages.stream().distinct().count(), messages::toString);
        }
    }

    // ---- ParameterRules.check on its own ----------------------------------------------------

    @Nested
    class CheckAlone {
        @Test
        void onlyPresentMembersAreChecked() {
            ParameterRules.check(MigrationParameters.builder().build(), ZERO_COPY);
            ParameterRules.check(MigrationParameters.builder().maxBandwidth(U64_MAX).build(), NO_CAPS);
        }

        @Test
        void presentMembersAreChecked() {
            ParameterException e = assertThrows(ParameterException.class,
                    () -> ParameterRules.check(MigrationParameters.builder().announceStep(0).build(), NO_CAPS));
            assertEquals("Parameter 'announce_step' expects a value between 0 and 10000", e.getMessage());
        }

        @Test
        void maximumWithoutInitialIsComparedWithZero() {
            ParameterRules.check(MigrationParameters.builder().maxCpuThrottle(0).build(), NO_CAPS);
            assertThrows(ParameterException.class,
                    () -> ParameterRules.check(MigrationParameters.builder().maxCpuThrottle(100).build(), NO_CAPS));
        }
    }
}
