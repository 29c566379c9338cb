package dev.tern.qmp.kvm;

import static dev.tern.qmp.kvm.KvmLiveMigrationTest.await;
import static dev.tern.qmp.kvm.KvmLiveMigrationTest.awaitStatus;
import static dev.tern.qmp.kvm.KvmLiveMigrationTest.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.kvm.KvmGuest;
import dev.tern.kvm.SweepRamCheck;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Auto-converge (spec 6) with a real KVM guest: the sweep rewrites its 63 MiB far faster than
 * 100 MB/s carries them, so with 50 ms of downtime allowed the migration never converges on its
 * own; with {@code auto-converge} the engine throttles the vCPUs (cpu-throttle-initial, then
 * cpu-throttle-increment up to max-cpu-throttle), reports the throttle in {@code query-migrate}'s
 * {@code cpu-throttle-percentage}, and the migration completes.
 */
@RequiresKvm
@Timeout(300)
class KvmAutoConvergeTest {
    private static final long MIB = 1L << 20;
    /** Syncs a migration gets to converge without auto-converge before the test gives up on it. */
    private static final int SYNCS = 8;

    private static MigrateSetParameters slow() {
        return MigrateSetParameters.builder().maxBandwidth(100_000_000L).downtimeLimit(50).cpuThrottleInitial(50)
                .cpuThrottleIncrement(20).maxCpuThrottle(99).build();
    }

    private static KvmGuest.Builder guest() {
        return KvmGuest.builder().ramSize(64 * MIB);
    }

    private static String listen(MigrationControl dst) {
        dst.migrateIncoming("tcp:127.0.0.1:0");
        return "tcp:127.0.0.1:" + ((SocketAddress.Inet) dst.queryMigrate().socketAddress().orElseThrow().getFirst())
                .port();
    }

    @Test
    void withoutAutoConvergeTheSweepOutrunsTheLink() throws Exception {
        try (KvmGuest source = guest().build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = guest().buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            source.start();
            await("the source guest's first pass", src, () -> source.passes() >= 1);
            src.setParameters(slow());
            src.migrate(listen(dst));
            await(SYNCS + " dirty syncs", src, () -> {
                MigrationInfo info = src.queryMigrate();
                assertNotEquals(MigrationStatus.COMPLETED, info.status().orElseThrow(), "converged without throttling");
                assertNotEquals(MigrationStatus.FAILED, info.status().orElseThrow(), info::toString);
                return info.ram().map(r -> r.dirtySyncCount() >= SYNCS).orElse(false);
            });
            MigrationInfo info = src.queryMigrate();
            assertEquals(MigrationStatus.ACTIVE, info.status().orElseThrow(), info::toString);
            assertTrue(info.cpuThrottlePercentage().isEmpty(), "no throttle without auto-converge");
            assertEquals(0, source.throttle());
            src.cancel();
            awaitStatus(src, MigrationStatus.CANCELLED);
            assertEquals(RunState.RUNNING, src.runState());
            long passes = source.passes();
            await("the source guest to go on", src, () -> source.passes() > passes);
        }
    }

    @Test
    void autoConvergeThrottlesTheVcpusUntilTheMigrationCompletes() throws Exception {
        try (KvmGuest source = guest().build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                KvmGuest destination = guest().buildIncoming();
                MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
            source.start();
            await("the source guest's first pass", src, () -> source.passes() >= 1);
            dst.stop();
            src.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.AUTO_CONVERGE, true)));
            src.setParameters(slow());
            src.migrate(listen(dst));
            long[] highest = {0};
            await("completion", src, () -> {
                MigrationInfo info = src.queryMigrate();
                info.cpuThrottlePercentage().ifPresent(p -> highest[0] = Math.max(highest[0], p));
                assertNotEquals(MigrationStatus.FAILED, info.status().orElseThrow(), info::toString);
                return info.status().orElseThrow() == MigrationStatus.COMPLETED;
            });
            assertTrue(highest[0] >= 50, "cpu-throttle-percentage reported at cpu-throttle-initial or above: "
                    + highest[0]);
            assertEquals(0, source.throttle(), "the throttle ends with the migration");
            await("the destination to complete", dst, () -> status(dst) == MigrationStatus.COMPLETED);
            MemorySegment a = source.ramBlocks().getFirst().memory();
            MemorySegment b = destination.ramBlocks().getFirst().memory();
            assertEquals(-1, MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize()));
            for (SweepRamCheck check : destination.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
            long passes = destination.passes();
            dst.cont();
            await("the destination guest to make passes", dst, () -> destination.passes() > passes + 2);
            assertEquals(0, destination.throttle(), "the destination runs unthrottled");
            System.out.println("auto-converge: " + KvmLiveMigrationTest.figures(src.queryMigrate())
                    + ", highest cpu-throttle-percentage " + highest[0]);
        }
    }
}
