package dev.tern.qmp.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.kvm.DirtyTrackingMode;
import dev.tern.kvm.KvmGuest;
import dev.tern.kvm.SweepRamCheck;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Live migration of a running KVM guest by the engine, source and destination in this JVM: the
 * sweep guest (QEMU's A-B guest) runs on the source while its RAM is sent, the destination waits
 * with autostart off so its RAM can be compared with the source's at the stop point, passes
 * QEMU's RAM check (spec 15.2), and then, resumed with {@code cont}, keeps counting passes from
 * the source's count, without starting over.
 */
@RequiresKvm
@Timeout(300)
class KvmLiveMigrationTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    /** The bitmap modes over both transports; the ring is {@link #ringModeMigrationIsRefusedAndTheSourceRunsOn}'s. */
    static Stream<Arguments> modesAndTransports() {
        List<Arguments> cases = new ArrayList<>();
        for (DirtyTrackingMode mode : List.of(DirtyTrackingMode.BITMAP, DirtyTrackingMode.MANUAL_CLEAR)) {
            cases.add(Arguments.of(mode, "unix"));
            cases.add(Arguments.of(mode, "tcp"));
        }
        return cases.stream();
    }

    /**
     * The dirty ring under a live migration is refused (see {@code TrackerDirtyLog}): on the host
     * Tern is developed on (KVM on PVM) ring-mode migrations arrived with pages missing in about
     * one run in three. The migration fails at setup with the reason, the destination never runs,
     * and the source guest goes on running, counting and consistent.
     */
    @org.junit.jupiter.api.Test
    void ringModeMigrationIsRefusedAndTheSourceRunsOn() throws Exception {
        Assumptions.assumeTrue(KvmGuest.supportedDirtyTracking().contains(DirtyTrackingMode.RING),
                "the host has no dirty ring");
        try (KvmGuest source = KvmGuest.builder().ramSize(64 * MIB).dirtyTracking(DirtyTrackingMode.RING).build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = KvmGuest.builder().ramSize(64 * MIB).buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            source.start();
            await("the source guest's first pass", src, () -> source.passes() >= 1);
            src.migrate(listen(dst, "unix"));
            awaitStatus(src, MigrationStatus.FAILED);
            assertTrue(src.queryMigrate().errorDesc().orElse("").contains("dirty ring cannot be migrated"),
                    () -> "error-desc: " + src.queryMigrate());
            assertEquals(0, destination.passes() + destination.startMarks(), "the destination guest never ran");
            assertEquals(RunState.RUNNING, src.runState());
            long passes = source.passes();
            await("the source guest to go on", src, () -> source.passes() > passes + 2);
            src.stop();
            for (SweepRamCheck check : source.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("modesAndTransports")
    void runningGuestArrivesIdenticalAndKeepsCounting(DirtyTrackingMode mode, String transport) throws Exception {
        Assumptions.assumeTrue(KvmGuest.supportedDirtyTracking().contains(mode), "the host has no " + mode + " tracking");
        KvmGuest.Builder builder = KvmGuest.builder().ramSize(256 * MIB).sweep(MIB, 200 * MIB).dirtyTracking(mode);
        try (KvmGuest source = builder.build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = builder.buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            source.start();
            await("the source guest's first passes", src, () -> source.passes() >= 2);
            dst.stop(); // autostart off: the destination stays paused for the compare
            String uri = listen(dst, transport);
            // QEMU's converge recipe: the first check after the bulk pass completes.
            src.setParameters(MigrateSetParameters.builder().maxBandwidth(1_000_000_000L).downtimeLimit(30_000).build());
            src.migrate(uri);

            MigrationInfo done = awaitStatus(src, MigrationStatus.COMPLETED);
            await("the destination to complete", dst, () -> status(dst) == MigrationStatus.COMPLETED);
            assertEquals(RunState.POSTMIGRATE, src.runState());
            assertEquals(RunState.PAUSED, dst.runState());
            assertTrue(done.ram().orElseThrow().transferred() > 0);
            MemorySegment a = source.ramBlocks().getFirst().memory();
            MemorySegment b = destination.ramBlocks().getFirst().memory();
            assertEquals(-1, MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize()),
                    "destination RAM differs from the source's at the stop point");
            for (SweepRamCheck check : destination.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
            long passes = source.passes();
            assertEquals(passes, destination.passes(), "the serial port's pass count migrated");

            dst.cont();
            assertEquals(RunState.RUNNING, dst.runState());
            await("the destination guest to make passes", dst, () -> destination.passes() >= passes + 3);
            assertEquals(1, destination.startMarks(), "the destination continued the sweep, it did not start over");
            assertEquals(0, destination.otherOutput());
            assertTrue(destination.failure().isEmpty(), () -> destination.failure().orElseThrow().getMessage());
            assertEquals(passes, source.passes(), "the source guest stays stopped");
            assertTrue(source.failure().isEmpty(), () -> "the source vCPU stopped during the migration: "
                    + source.failure().orElseThrow().getMessage());
            dst.stop();
            for (SweepRamCheck check : destination.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
            System.out.printf("%s over %s: %s%n", mode, transport, figures(done));
        }
    }

    @ParameterizedTest(name = "{0} channels")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4})
    void fileBackedGuestMigratesWithMultifdAndZeroCopySend(int channels) throws Exception {
        KvmGuest.Builder builder = KvmGuest.builder().ramSize(128 * MIB).vcpus(2);
        try (KvmGuest source = builder.fileBackedRam().build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = builder.buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            assertTrue(source.ramBlocks().getFirst().backingFile().isPresent());
            source.start();
            await("the source guest's first passes", src, () -> source.passes() >= 2);
            dst.stop();
            dst.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.MULTIFD, true)));
            src.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.MULTIFD, true),
                    new MigrationCapabilityStatus(MigrationCapability.ZERO_COPY_SEND, true)));
            src.setParameters(MigrateSetParameters.builder().multifdChannels(channels).maxBandwidth(10_000_000_000L)
                    .downtimeLimit(30_000).build());
            dst.setParameters(MigrateSetParameters.builder().multifdChannels(channels).build());
            src.migrate(listen(dst, "tcp"));

            MigrationInfo done = awaitStatus(src, MigrationStatus.COMPLETED);
            await("the destination to complete", dst, () -> status(dst) == MigrationStatus.COMPLETED);
            var ram = done.ram().orElseThrow();
            assertTrue(ram.multifdBytes() > 0, ram::toString);
            assertEquals(0, ram.dirtySyncMissedZeroCopy(), "every page went from the file: " + ram);
            MemorySegment a = source.ramBlocks().getFirst().memory();
            MemorySegment b = destination.ramBlocks().getFirst().memory();
            assertEquals(-1, MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize()));
            for (SweepRamCheck check : destination.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
            long passes = destination.passes();
            dst.cont();
            await("the destination guest to make passes", dst, () -> destination.passes() >= passes + 3);
            System.out.printf("zero-copy-send, %d channels: %s%n", channels, figures(done));
        }
    }

    @org.junit.jupiter.api.Test
    void aRefusedMigrationLeavesTheSourceGuestRunningAndIntact() throws Exception {
        try (KvmGuest source = KvmGuest.builder().ramSize(64 * MIB).build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = KvmGuest.builder().ramSize(32 * MIB).buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            source.start();
            await("the source guest's first pass", src, () -> source.passes() >= 1);
            src.setParameters(MigrateSetParameters.builder().maxBandwidth(10_000_000_000L).downtimeLimit(30_000).build());
            src.migrate(listen(dst, "tcp"));
            // The destination's pc.ram is half the size: it refuses the stream.
            await("the destination to fail", dst, () -> status(dst) == MigrationStatus.FAILED);
            awaitStatus(src, MigrationStatus.FAILED);
            assertEquals(RunState.INMIGRATE, dst.runState());
            assertEquals(0, destination.passes() + destination.startMarks(), "the destination guest never ran");
            assertEquals(RunState.RUNNING, src.runState());
            assertTrue(source.vcpus().orElseThrow().running());
            long passes = source.passes();
            await("the source guest to go on", src, () -> source.passes() > passes + 2);
            src.stop();
            for (SweepRamCheck check : source.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
            assertTrue(source.failure().isEmpty());
        }
    }

    /** Total time, downtime and throughput as query-migrate reports them, for the test's output. */
    static String figures(MigrationInfo done) {
        var ram = done.ram().orElseThrow();
        return String.format("total-time %d ms, downtime %d ms, setup %d ms, %d MiB transferred, %.0f mbps,"
                + " %d dirty syncs", done.totalTime().orElse(-1), done.downtime().orElse(-1), done.setupTime().orElse(-1),
                ram.transferred() >> 20, ram.mbps(), ram.dirtySyncCount());
    }

    private String listen(MigrationControl dst, String transport) {
        if (transport.equals("unix")) {
            String uri = "unix:" + dir.resolve("mig.sock");
            dst.migrateIncoming(uri);
            return uri;
        }
        dst.migrateIncoming("tcp:127.0.0.1:0");
        SocketAddress.Inet address = (SocketAddress.Inet) dst.queryMigrate().socketAddress().orElseThrow().getFirst();
        return "tcp:127.0.0.1:" + address.port();
    }

    static MigrationStatus status(MigrationControl vm) {
        return vm.queryMigrate().status().orElse(MigrationStatus.NONE);
    }

    /** Polls until {@code condition} holds; fails with the last query-migrate after 120 s. */
    static void await(String what, MigrationControl vm, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + ": " + vm.queryMigrate());
            }
            Thread.sleep(2);
        }
    }

    static MigrationInfo awaitStatus(MigrationControl vm, MigrationStatus wanted) throws InterruptedException {
        await("status " + wanted.qapiName(), vm, () -> {
            MigrationStatus s = status(vm);
            if (s == MigrationStatus.FAILED && wanted != MigrationStatus.FAILED) {
                fail("migration failed: " + vm.queryMigrate());
            }
            return s == wanted;
        });
        return vm.queryMigrate();
    }
}
