package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.MigrationInfo;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/** Helpers shared by the end-to-end migration tests. */
final class Migrations {
    private Migrations() {
    }

    /** QEMU's "converge" recipe: 1 GB/s and 30 s of downtime, so the next check completes. */
    static MigrateSetParameters converge() {
        return MigrateSetParameters.builder().maxBandwidth(1_000_000_000L).downtimeLimit(30_000).build();
    }

    /** QEMU's "non-converge" recipe: 30 MB/s and 1 ms of downtime. */
    static MigrateSetParameters nonConverge() {
        return MigrateSetParameters.builder().maxBandwidth(30_000_000L).downtimeLimit(1).build();
    }

    static MigrationStatus sourceStatus(MigrationControl vm) {
        return vm.queryMigrate().status().orElse(MigrationStatus.NONE);
    }

    /** Polls until {@code condition} holds; fails with the last query-migrate after 120 s. */
    static void await(String what, MigrationControl vm, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + ": " + vm.queryMigrate());
            }
            Thread.sleep(2);
        }
    }

    static MigrationInfo awaitStatus(MigrationControl vm, MigrationStatus status) throws InterruptedException {
        await("status " + status.qapiName(), vm, () -> {
            MigrationStatus s = sourceStatus(vm);
            if (s == MigrationStatus.FAILED && status != MigrationStatus.FAILED) {
                fail("migration failed: " + vm.queryMigrate());
            }
            return s == status;
        });
        return vm.queryMigrate();
    }

    /** Asserts two guests' RAM is equal byte for byte, naming the first differing page. */
    static void assertSameRam(List<RamBlock> expected, List<RamBlock> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            RamBlock e = expected.get(i);
            RamBlock a = actual.get(i);
            long mismatch = MemorySegment.mismatch(e.memory(), 0, e.usedLength(), a.memory(), 0, a.usedLength());
            if (mismatch != -1) {
                fail("RAM block " + e.name() + " differs at byte " + mismatch + " (page " + (mismatch >>> 12) + ")");
            }
        }
    }
}
