package dev.tern.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.MigrationStatus;
import dev.tern.api.Qapi;
import dev.tern.api.info.CompressionStats;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import dev.tern.api.info.SocketAddress;
import dev.tern.api.info.VfioStats;
import dev.tern.api.info.XbzrleCacheStats;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class QueryMigrateAssemblerTest {
    private static final long TPS = 4096;
    private static final long START = 100_000;
    private static final List<SocketAddress> LISTENING = List.of(SocketAddress.Inet.bound("0.0.0.0", 41234, false));

    private ManualClock clock;
    private MigrationCounters counters;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(START);
        counters = new MigrationCounters(TPS, clock);
        counters.reset();
        counters.addRamBytes(TransferPhase.PRECOPY, 9_000);
        counters.addRamBytes(TransferPhase.DOWNTIME, 500);
        counters.addMultifdBytes(300);
        counters.addDuplicatePages(40);
        counters.addNormalPages(2);
        counters.setDirtyPagesRate(1234);
        counters.setMbps(880.5);
        counters.incrementDirtySyncCount();
        counters.incrementDirtySyncCount();
        counters.incrementPostcopyRequests();
        counters.setPagesPerSecond(77);
        counters.incrementDirtySyncMissedZeroCopy();
        counters.addXbzrleBytes(600);
        counters.addXbzrlePages(6);
        counters.incrementXbzrleCacheMiss();
        counters.setXbzrleCacheMissRate(0.5);
        counters.setXbzrleEncodingRate(6.8);
        counters.incrementXbzrleOverflow();
        counters.addCompressedPages(3);
        counters.incrementCompressionBusy();
        counters.setCompressionBusyRate(0.25);
        counters.addCompressedSize(2000);
        counters.setCompressionRate(6.1);
        counters.setSetupTime(45);
        counters.setExpectedDowntime(300);
        counters.setCpuThrottlePercentage(20);
        clock.set(START + 5_000);
    }

    /** Everything optional on: both capabilities, throttling, disk, VFIO, a recorded error. */
    private SourceView full(MigrationStatus status) {
        return SourceView.builder(status, counters.snapshot())
                .xbzrle(true, 64L << 20)
                .compress(true)
                .errorDesc("Unable to write to socket: Broken pipe")
                .ramSizes(8_192, 1L << 30)
                .disk(new DiskProgress(512 * 10, 512 * 100))
                .vfio(new VfioStats(4_321))
                .build();
    }

    /** Everything optional off. */
    private SourceView bare(MigrationStatus status) {
        CountersSnapshot s = counters.snapshot();
        CountersSnapshot unthrottled = new CountersSnapshot(s.ram(), s.xbzrle(), s.compression(), s.timings(), 0);
        return SourceView.builder(status, unthrottled).ramSizes(8_192, 1L << 30).build();
    }

    private static MigrationInfo assemble(SourceView src) {
        return QueryMigrateAssembler.assemble(src, DestinationView.none(), List.of());
    }

    /** The QAPI names of the members present in {@code info}. */
    static Set<String> present(MigrationInfo info) {
        Set<String> names = new TreeSet<>();
        try {
            for (RecordComponent rc : MigrationInfo.class.getRecordComponents()) {
                Object v = rc.getAccessor().invoke(info);
                boolean isPresent = switch (v) {
                    case Optional<?> o -> o.isPresent();
                    case OptionalLong o -> o.isPresent();
                    case OptionalInt o -> o.isPresent();
                    case OptionalDouble o -> o.isPresent();
                    default -> throw new AssertionError(rc.getName() + " is not optional");
                };
                if (isPresent) {
                    names.add(rc.getAnnotation(Qapi.class).name());
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    private static Set<String> names(String spaceSeparated) {
        return spaceSeparated.isBlank() ? Set.of() : new TreeSet<>(List.of(spaceSeparated.trim().split(" +")));
    }

    // Spec §1.6, every source state; the "full" view offers every optional member. In "none" an
    // error is the failed incoming migration's (Tern's addition; QEMU's destination exits).
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "none             | error-desc",
        "setup            | status",
        "cancelling       | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "cancelled        | status",
        "active           | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "postcopy-active  | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "postcopy-paused  | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "postcopy-recover | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "completed        | status setup-time total-time downtime ram xbzrle-cache compression cpu-throttle-percentage vfio",
        "failed           | status error-desc",
        "colo             | status",
        "pre-switchover   | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "device           | status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio",
        "wait-unplug      | status",
    })
    void membersPerSourceStateWithEverythingOn(String status, String expected) {
        MigrationInfo info = assemble(full(MigrationStatus.fromQapi(status)));
        assertEquals(names(expected == null ? "" : expected), present(info));
    }

    // The same states with nothing optional on: capabilities off, no throttle/disk/VFIO/error.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "none             | ",
        "setup            | status",
        "cancelling       | status setup-time total-time expected-downtime ram",
        "cancelled        | status",
        "active           | status setup-time total-time expected-downtime ram",
        "postcopy-active  | status setup-time total-time expected-downtime ram",
        "postcopy-paused  | status setup-time total-time expected-downtime ram",
        "postcopy-recover | status setup-time total-time expected-downtime ram",
        "completed        | status setup-time total-time downtime ram",
        "failed           | status",
        "colo             | status",
        "pre-switchover   | status setup-time total-time expected-downtime ram",
        "device           | status setup-time total-time expected-downtime ram",
        "wait-unplug      | status",
    })
    void membersPerSourceStateWithNothingOptionalOn(String status, String expected) {
        MigrationInfo info = assemble(bare(MigrationStatus.fromQapi(status)));
        assertEquals(names(expected == null ? "" : expected), present(info));
    }

    @Test
    void theTablesAboveCoverEveryStatus() {
        assertEquals(14, MigrationStatus.values().length, "a status was added: extend the tables");
    }

    @ParameterizedTest
    @EnumSource(names = {"ACTIVE", "CANCELLING", "POSTCOPY_ACTIVE", "POSTCOPY_PAUSED", "POSTCOPY_RECOVER",
        "PRE_SWITCHOVER", "DEVICE"})
    void runningStatesReportLiveValues(MigrationStatus status) {
        MigrationInfo info = assemble(full(status));

        assertEquals(Optional.of(status), info.status());
        assertEquals(OptionalLong.of(5_000), info.totalTime(), "now - start");
        assertEquals(OptionalLong.of(45), info.setupTime());
        assertEquals(OptionalLong.of(300), info.expectedDowntime());
        assertEquals(OptionalLong.of(20), info.cpuThrottlePercentage());
        assertEquals(Optional.of(new MigrationStats(
                9_800, 8_192, 1L << 30, 40, 0, 2, 2 * TPS, 1234, 880.5, 2, 1, TPS, 300, 77, 9_000, 500, 0, 1)),
                info.ram());
        assertEquals(Optional.of(new XbzrleCacheStats(64L << 20, 600, 6, 1, 0.5, 6.8, 1)), info.xbzrleCache());
        assertEquals(Optional.of(new CompressionStats(3, 1, 0.25, 2000, 6.1)), info.compression());
        assertEquals(Optional.of(new MigrationStats(5_120, 46_080, 51_200, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                info.disk());
        assertEquals(Optional.of(new VfioStats(4_321)), info.vfio());
    }

    @Test
    void totalTimeFollowsTheClockWhileRunning() {
        assertEquals(OptionalLong.of(5_000), assemble(full(MigrationStatus.ACTIVE)).totalTime());
        clock.advance(2_500);
        assertEquals(OptionalLong.of(7_500), assemble(full(MigrationStatus.ACTIVE)).totalTime());
    }

    @Test
    void completedReportsFrozenTimesAndZeroRemainingAndDirtyRate() {
        counters.markDowntimeStart();
        clock.advance(250);
        counters.calculateComplete(2_000_000);
        clock.advance(60_000);

        MigrationInfo info = assemble(full(MigrationStatus.COMPLETED));

        assertEquals(Optional.of(MigrationStatus.COMPLETED), info.status());
        assertEquals(OptionalLong.of(5_250), info.totalTime(), "frozen at completion, not now - start");
        assertEquals(OptionalLong.of(250), info.downtime());
        assertEquals(OptionalLong.of(45), info.setupTime());
        MigrationStats ram = info.ram().orElseThrow();
        assertEquals(0, ram.remaining(), "not filled in completed even though bytes were supplied");
        assertEquals(0, ram.dirtyPagesRate(), "not filled in completed");
        assertEquals(1L << 30, ram.total());
        assertEquals(9_800, ram.transferred());
        assertEquals(0, ram.skipped());
        assertEquals(2 * TPS, ram.normalBytes());
        assertEquals(2_000_000 * 8.0 / (5_250 - 45) / 1000, ram.mbps());
        assertEquals(Optional.of(new VfioStats(4_321)), info.vfio());
        assertEquals(Optional.empty(), info.disk());
        assertEquals(OptionalLong.empty(), info.expectedDowntime());
    }

    @Test
    void completedBeforeTheTotalTimeIsFrozenReportsTheUnfrozenZeroAsQemuDoes() {
        // QEMU sets completed before migration_calculate_complete runs; a query in between sees 0.
        MigrationInfo info = assemble(full(MigrationStatus.COMPLETED));
        assertEquals(OptionalLong.of(0), info.totalTime());
    }

    @Test
    void failedReportsTheErrorOnlyIfOneWasRecorded() {
        assertEquals(Optional.of("Unable to write to socket: Broken pipe"),
                assemble(full(MigrationStatus.FAILED)).errorDesc());
        assertEquals(Optional.empty(), assemble(bare(MigrationStatus.FAILED)).errorDesc());
        assertEquals(Optional.of(MigrationStatus.FAILED), assemble(bare(MigrationStatus.FAILED)).status());
    }

    @ParameterizedTest
    @EnumSource(MigrationStatus.class)
    void blockedReasonsArePresentWhenNonEmptyWhateverTheState(MigrationStatus status) {
        List<String> reasons = List.of("my blocker", "non-migratable device: 0000:00:02.0/vfio");
        MigrationInfo info = QueryMigrateAssembler.assemble(full(status), DestinationView.none(), reasons);
        assertEquals(Optional.of(reasons), info.blockedReasons());
        assertEquals(Optional.empty(), assemble(full(status)).blockedReasons());
    }

    // ---- destination part ----

    // Spec §1.5: the states a destination takes.
    @ParameterizedTest
    @EnumSource(names = {"ACTIVE", "POSTCOPY_ACTIVE", "POSTCOPY_PAUSED", "POSTCOPY_RECOVER", "COMPLETED", "FAILED", "COLO"})
    void destinationReportsItsStatusAndNoStatistics(MigrationStatus status) {
        MigrationInfo info = QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), DestinationView.of(status, List.of()),
                List.of());
        assertEquals(Set.of("status"), present(info));
        assertEquals(Optional.of(status), info.status());
    }

    @Test
    void destinationNoneReportsNothing() {
        assertEquals(Set.of(), present(QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), DestinationView.none(),
                List.of())));
    }

    @ParameterizedTest
    @EnumSource(names = {"NONE", "ACTIVE", "POSTCOPY_ACTIVE", "COMPLETED", "FAILED"})
    void socketAddressesAreReportedWhateverTheDestinationState(MigrationStatus status) {
        MigrationInfo info = QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), DestinationView.of(status, LISTENING),
                List.of());
        assertEquals(Optional.of(LISTENING), info.socketAddress());
        Set<String> expected = new TreeSet<>(Set.of("socket-address"));
        if (status != MigrationStatus.NONE) {
            expected.add("status");
        }
        assertEquals(expected, present(info));
    }

    @Test
    void blocktimeIsReportedInDestinationCompletedOnly() {
        DestinationView completed = new DestinationView(MigrationStatus.COMPLETED, LISTENING, OptionalLong.of(1500),
                List.of(700L, 800L));
        MigrationInfo info = QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), completed, List.of());
        assertEquals(Set.of("status", "socket-address", "postcopy-blocktime", "postcopy-vcpu-blocktime"), present(info));
        assertEquals(OptionalLong.of(1500), info.postcopyBlocktime());
        assertEquals(Optional.of(List.of(700L, 800L)), info.postcopyVcpuBlocktime());

        for (MigrationStatus s : List.of(MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED,
                MigrationStatus.FAILED)) {
            DestinationView v = new DestinationView(s, List.of(), OptionalLong.of(1500), List.of(700L, 800L));
            assertEquals(Set.of("status"), present(QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), v, List.of())),
                    s.qapiName());
        }
    }

    @Test
    void completedDestinationWithoutBlocktimeContextReportsNoBlocktime() {
        MigrationInfo info = QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE),
                DestinationView.of(MigrationStatus.COMPLETED, List.of()), List.of());
        assertEquals(Set.of("status"), present(info));
    }

    @Test
    void sourceStatusOverridesTheDestinationsUnlessNone() {
        DestinationView dst = new DestinationView(MigrationStatus.COMPLETED, LISTENING, OptionalLong.of(9), List.of(9L));
        MigrationInfo srcNone = QueryMigrateAssembler.assemble(bare(MigrationStatus.NONE), dst, List.of());
        assertEquals(Optional.of(MigrationStatus.COMPLETED), srcNone.status());

        MigrationInfo srcSetup = QueryMigrateAssembler.assemble(bare(MigrationStatus.SETUP), dst, List.of());
        assertEquals(Optional.of(MigrationStatus.SETUP), srcSetup.status());
        // The destination's own members stay.
        assertEquals(Set.of("status", "socket-address", "postcopy-blocktime", "postcopy-vcpu-blocktime"), present(srcSetup));

        MigrationInfo srcActive = QueryMigrateAssembler.assemble(full(MigrationStatus.ACTIVE),
                DestinationView.of(MigrationStatus.ACTIVE, LISTENING), List.of("b"));
        Set<String> expected = new TreeSet<>(names(
                "status setup-time total-time expected-downtime ram xbzrle-cache compression cpu-throttle-percentage disk vfio"));
        expected.add("socket-address");
        expected.add("blocked-reasons");
        assertEquals(expected, present(srcActive));
    }

    @Test
    void destinationViewChecksAndCopiesItsMembers() {
        assertThrows(IllegalArgumentException.class,
                () -> new DestinationView(MigrationStatus.COMPLETED, List.of(), OptionalLong.empty(), List.of(1L)));
        List<SocketAddress> addresses = new ArrayList<>(LISTENING);
        DestinationView v = DestinationView.of(MigrationStatus.ACTIVE, addresses);
        addresses.clear();
        assertEquals(LISTENING, v.socketAddresses());
        assertThrows(NullPointerException.class, () -> DestinationView.of(null, List.of()));
    }

    @Test
    void diskProgressComputesRemaining() {
        DiskProgress d = new DiskProgress(512, 2048);
        assertEquals(1536, d.remaining());
        assertEquals(new MigrationStats(512, 1536, 2048, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0), d.toStats());
    }

    @Test
    void nullsAreRejected() {
        SourceView src = bare(MigrationStatus.NONE);
        assertThrows(NullPointerException.class, () -> QueryMigrateAssembler.assemble(null, DestinationView.none(), List.of()));
        assertThrows(NullPointerException.class, () -> QueryMigrateAssembler.assemble(src, null, List.of()));
        assertThrows(NullPointerException.class, () -> QueryMigrateAssembler.assemble(src, DestinationView.none(), null));
        assertThrows(NullPointerException.class, () -> SourceView.builder(null, counters.snapshot()).build());
        assertThrows(NullPointerException.class, () -> SourceView.builder(MigrationStatus.NONE, null).build());
    }
}
