package dev.tern.core.parameter;

import static dev.tern.core.parameter.Params.NO_CAPS;
import static dev.tern.core.parameter.Params.ZERO_COPY;
import static dev.tern.core.parameter.Params.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.BitmapMigrationBitmapAlias;
import dev.tern.api.BitmapMigrationNodeAlias;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.Qapi;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code migrate-set-parameters} and {@code query-migrate-parameters} through {@link ParameterStore}:
 * defaults, overlay, all-or-nothing, reporting, thread safety.
 */
class ParameterStoreTest {

    // ---- defaults ---------------------------------------------------------------------------

    @Nested
    class Defaults {
        /** QEMU 7.2's defaults by QAPI name (spec §3.1). */
        private static final Map<String, Object> EXPECTED = new LinkedHashMap<>();

        static {
            EXPECTED.put("announce-initial", 50L);
            EXPECTED.put("announce-max", 550L);
            EXPECTED.put("announce-rounds", 5L);
            EXPECTED.put("announce-step", 100L);
            EXPECTED.put("compress-level", 1L);
            EXPECTED.put("compress-threads", 8L);
            EXPECTED.put("compress-wait-thread", true);
            EXPECTED.put("decompress-threads", 2L);
            EXPECTED.put("throttle-trigger-threshold", 50L);
            EXPECTED.put("cpu-throttle-initial", 20L);
            EXPECTED.put("cpu-throttle-increment", 10L);
            EXPECTED.put("cpu-throttle-tailslow", false);
            EXPECTED.put("tls-creds", "");
            EXPECTED.put("tls-hostname", "");
            EXPECTED.put("tls-authz", "");
            EXPECTED.put("max-bandwidth", 134_217_728L);
            EXPECTED.put("downtime-limit", 300L);
            EXPECTED.put("x-checkpoint-delay", 20_000L);
            EXPECTED.put("block-incremental", false);
            EXPECTED.put("multifd-channels", 2L);
            EXPECTED.put("xbzrle-cache-size", 67_108_864L);
            EXPECTED.put("max-postcopy-bandwidth", 0L);
            EXPECTED.put("max-cpu-throttle", 99L);
            EXPECTED.put("multifd-compression", MultiFdCompression.NONE);
            EXPECTED.put("multifd-zlib-level", 1L);
            EXPECTED.put("multifd-zstd-level", 1L);
        }

        static Stream<RecordComponent> members() {
            return Stream.of(MigrationParameters.class.getRecordComponents());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("members")
        void everyMemberHasQemusDefault(RecordComponent member) {
            String name = member.getAnnotation(Qapi.class).name();
            Optional<Object> actual = Members.unwrap(Members.read(member, ParameterDefaults.DEFAULTS));
            if (name.equals("block-bitmap-mapping")) {
                assertEquals(Optional.empty(), actual, "reported only once it has been set");
            } else {
                assertTrue(EXPECTED.containsKey(name), () -> "no expected default for " + name);
                assertEquals(Optional.of(EXPECTED.get(name)), actual, name);
            }
        }

        @Test
        void tableCoversEveryMember() {
            assertEquals(MigrationParameters.class.getRecordComponents().length - 1, EXPECTED.size());
        }

        @Test
        void newStoreReportsTheDefaults() {
            assertSame(ParameterDefaults.DEFAULTS, new ParameterStore().current());
        }

        @Test
        void defaultsPassTheRules() {
            ParameterRules.check(ParameterDefaults.DEFAULTS, NO_CAPS);
            ParameterRules.check(ParameterDefaults.DEFAULTS, ZERO_COPY);
        }

        @Test
        void emptyRequestChangesNothing() {
            ParameterStore store = new ParameterStore();
            assertEquals(ParameterDefaults.DEFAULTS, store.apply(MigrateSetParameters.builder().build(), NO_CAPS));
            assertEquals(ParameterDefaults.DEFAULTS, store.current());
        }
    }

    // ---- all-or-nothing, overlay, reporting -------------------------------------------------

    @Nested
    class Apply {
        @Test
        void rejectedRequestChangesNothingEvenItsValidMembers() {
            ParameterStore store = new ParameterStore();
            MigrateSetParameters request = MigrateSetParameters.builder().downtimeLimit(100).maxBandwidth(1)
                    .tlsCreds("tls0").compressLevel(10).build();
            assertRejected("Parameter 'compress_level' expects a value between 0 and 9", store, request, NO_CAPS);
            assertEquals(ParameterDefaults.DEFAULTS, store.current());
        }

        @Test
        void successiveRequestsAccumulate() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().downtimeLimit(100).build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().maxBandwidth(1000).build(), NO_CAPS);
            MigrationParameters p = store.current();
            assertEquals(100, Members.getLong(p, "downtime-limit"));
            assertEquals(1000, Members.getLong(p, "max-bandwidth"));
            assertEquals(ParameterDefaults.DEFAULTS.toBuilder().downtimeLimit(100).maxBandwidth(1000).build(), p);
        }

        @Test
        void applyReturnsWhatIsStored() {
            ParameterStore store = new ParameterStore();
            MigrationParameters returned = store.apply(MigrateSetParameters.builder().compressWaitThread(false)
                    .cpuThrottleTailslow(true).blockIncremental(true).build(), NO_CAPS);
            assertSame(returned, store.current());
            assertEquals(Optional.of(false), returned.compressWaitThread());
            assertEquals(Optional.of(true), returned.cpuThrottleTailslow());
            assertEquals(Optional.of(true), returned.blockIncremental());
        }

        @Test
        void everyMemberOfARequestIsApplied() {
            List<BitmapMigrationNodeAlias> mapping = List.of(new BitmapMigrationNodeAlias("node0", "n0",
                    List.of(new BitmapMigrationBitmapAlias("b0", "a0", Optional.empty()))));
            MigrateSetParameters request = MigrateSetParameters.builder()
                    .announceInitial(1).announceMax(2).announceRounds(3).announceStep(4)
                    .compressLevel(5).compressThreads(6).compressWaitThread(false).decompressThreads(7)
                    .throttleTriggerThreshold(8).cpuThrottleInitial(9).cpuThrottleIncrement(11)
                    .cpuThrottleTailslow(true).tlsCreds("c").tlsHostname("h").tlsAuthz("a")
                    .maxBandwidth(12).downtimeLimit(13).xCheckpointDelay(14).blockIncremental(true)
                    .multifdChannels(15).xbzrleCacheSize(1 << 16).maxPostcopyBandwidth(17).maxCpuThrottle(18)
                    .multifdCompression(MultiFdCompression.ZLIB).multifdZlibLevel(3).multifdZstdLevel(19)
                    .blockBitmapMapping(mapping).build();
            MigrationParameters expected = new MigrationParameters(request.announceInitial(), request.announceMax(),
                    request.announceRounds(), request.announceStep(), request.compressLevel(), request.compressThreads(),
                    request.compressWaitThread(), request.decompressThreads(), request.throttleTriggerThreshold(),
                    request.cpuThrottleInitial(), request.cpuThrottleIncrement(), request.cpuThrottleTailslow(),
                    request.tlsCreds(), request.tlsHostname(), request.tlsAuthz(), request.maxBandwidth(),
                    request.downtimeLimit(), request.xCheckpointDelay(), request.blockIncremental(),
                    request.multifdChannels(), request.xbzrleCacheSize(), request.maxPostcopyBandwidth(),
                    request.maxCpuThrottle(), request.multifdCompression(), request.multifdZlibLevel(),
                    request.multifdZstdLevel(), request.blockBitmapMapping());
            assertEquals(expected, new ParameterStore().apply(request, NO_CAPS));
        }

        @Test
        void xbzrleCacheSizeIsStoredAndReported() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().xbzrleCacheSize(1L << 20).build(), NO_CAPS);
            assertEquals(1L << 20, Members.getLong(store.current(), "xbzrle-cache-size"));
        }
    }

    @Nested
    class MultifdLevels {
        // Deliberate deviation: QEMU 7.2 silently ignores these two members in migrate-set-parameters.

        @Test
        void zlibLevelIsStoredAndReported() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().multifdZlibLevel(5).build(), NO_CAPS);
            assertEquals(5, Members.getLong(store.current(), "multifd-zlib-level"));
            assertEquals(1, Members.getLong(store.current(), "multifd-zstd-level"));
        }

        @Test
        void zstdLevelIsStoredAndReported() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().multifdZstdLevel(17).build(), NO_CAPS);
            assertEquals(17, Members.getLong(store.current(), "multifd-zstd-level"));
        }

        @Test
        void outOfRangeLevelsAreRejected() {
            assertRejected("Parameter 'multifd_zlib_level' expects a value between 0 and 9",
                    MigrateSetParameters.builder().multifdZlibLevel(10).build());
            assertRejected("Parameter 'multifd_zstd_level' expects a value between 0 and 20",
                    MigrateSetParameters.builder().multifdZstdLevel(21).build());
        }
    }

    @Nested
    class Tls {
        @Test
        void absentMembersLeaveTheValuesUnchanged() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().tlsCreds("tls0").tlsHostname("dst.example").tlsAuthz("authz0")
                    .build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().downtimeLimit(100).build(), NO_CAPS);
            MigrationParameters p = store.current();
            assertEquals(Optional.of("tls0"), p.tlsCreds());
            assertEquals(Optional.of("dst.example"), p.tlsHostname());
            assertEquals(Optional.of("authz0"), p.tlsAuthz());
        }

        @Test
        void emptyStringsClearThem() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().tlsCreds("tls0").tlsHostname("h").tlsAuthz("a").build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().tlsCreds("").tlsHostname("").tlsAuthz("").build(), NO_CAPS);
            assertEquals(ParameterDefaults.DEFAULTS, store.current());
        }

        @Test
        void membersAreIndependent() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().tlsAuthz("authz0").build(), NO_CAPS);
            assertEquals(Optional.of(""), store.current().tlsCreds());
            assertEquals(Optional.of(""), store.current().tlsHostname());
            assertEquals(Optional.of("authz0"), store.current().tlsAuthz());
        }
    }

    @Nested
    class BlockBitmapMapping {
        private final List<BitmapMigrationNodeAlias> mapping = List.of(new BitmapMigrationNodeAlias("node0", "disk0",
                List.of(new BitmapMigrationBitmapAlias("bitmap0", "b0", Optional.empty()))));

        @Test
        void absentUntilSet() {
            assertFalse(new ParameterStore().current().blockBitmapMapping().isPresent());
        }

        @Test
        void reportedOnceSetAndKeptAcrossOtherSets() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().blockBitmapMapping(mapping).build(), NO_CAPS);
            assertEquals(Optional.of(mapping), store.current().blockBitmapMapping());
            store.apply(MigrateSetParameters.builder().downtimeLimit(10).build(), NO_CAPS);
            assertEquals(Optional.of(mapping), store.current().blockBitmapMapping());
        }

        @Test
        void anEmptyListCountsAsSet() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().blockBitmapMapping(List.of()).build(), NO_CAPS);
            assertEquals(Optional.of(List.of()), store.current().blockBitmapMapping());
        }

        @Test
        void aNewListReplacesTheOld() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().blockBitmapMapping(mapping).build(), NO_CAPS);
            store.apply(MigrateSetParameters.builder().blockBitmapMapping(List.of()).build(), NO_CAPS);
            assertEquals(Optional.of(List.of()), store.current().blockBitmapMapping());
        }

        @Test
        void anInvalidMappingIsRejectedAndTheOldOneKept() {
            ParameterStore store = new ParameterStore();
            store.apply(MigrateSetParameters.builder().blockBitmapMapping(mapping).build(), NO_CAPS);
            List<BitmapMigrationNodeAlias> invalid = List.of(new BitmapMigrationNodeAlias("node0", "a", List.of()),
                    new BitmapMigrationNodeAlias("node1", "a", List.of()));
            assertRejected("Invalid mapping given for block-bitmap-mapping: The node alias 'a' is used twice", store,
                    MigrateSetParameters.builder().blockBitmapMapping(invalid).build(), NO_CAPS);
            assertEquals(Optional.of(mapping), store.current().blockBitmapMapping());
        }
    }

    // ---- thread safety ----------------------------------------------------------------------

    @Test
    void concurrentSetsOfDifferentMembersAreNotLost() throws InterruptedException {
        List<String> members = List.of("downtime-limit", "max-bandwidth", "announce-rounds", "x-checkpoint-delay",
                "max-postcopy-bandwidth", "announce-initial");
        int iterations = 3000;
        ParameterStore store = new ParameterStore();
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (String member : members) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 1; i <= iterations; i++) {
                        store.apply(Members.set(member, i % 1001), NO_CAPS);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                start.await();
                for (int i = 0; i < iterations; i++) {
                    ParameterRules.check(store.current(), NO_CAPS);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        reader.join();
        assertEquals(null, failure.get());
        for (String member : members) {
            assertEquals(iterations % 1001, Members.getLong(store.current(), member), member);
        }
    }
}
