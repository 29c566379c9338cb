package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/** What the QEMU interoperability tests share: the Tern side's waits, RAM patterns and comparison. */
final class Interop {
    /** Tern's and QEMU's target page size on x86. */
    static final int PAGE = 4096;
    /** Long enough for 64 MiB over a local socket many times over, short enough to fail fast. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Interop() {
    }

    /** Slow enough that the first pass takes a while and the guest dirties pages meanwhile: 100 MB/s, 1 ms. */
    static MigrateSetParameters nonConverge() {
        return MigrateSetParameters.builder().maxBandwidth(100_000_000L).downtimeLimit(1).build();
    }

    /** QEMU's "converge" recipe (spec 15.2): 1 GB/s and 30 s of downtime, so the next check completes. */
    static MigrateSetParameters converge() {
        return MigrateSetParameters.builder().maxBandwidth(1_000_000_000L).downtimeLimit(30_000).build();
    }

    /** The Tern VM's status in {@code query-migrate} ({@code none} when it reports none). */
    static MigrationStatus status(MigrationControl vm) {
        return vm.queryMigrate().status().orElse(MigrationStatus.NONE);
    }

    /**
     * Polls until {@code condition} holds; on timeout fails with Tern's {@code query-migrate}
     * and QEMU's stderr.
     */
    static void await(String what, MigrationControl vm, QemuPeer qemu, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + "; Tern: " + vm.queryMigrate() + qemu.stderrSuffix());
            }
            Thread.sleep(5);
        }
    }

    /**
     * Waits until the Tern VM's migration has {@code expected} status; fails at once if it fails
     * instead, with Tern's error and QEMU's stderr.
     */
    static MigrationInfo awaitStatus(MigrationControl vm, MigrationStatus expected, QemuPeer qemu)
            throws InterruptedException {
        await("Tern status " + expected.qapiName(), vm, qemu, () -> {
            MigrationStatus s = status(vm);
            if (s == MigrationStatus.FAILED && expected != MigrationStatus.FAILED) {
                fail("Tern's migration failed: " + vm.queryMigrate() + qemu.stderrSuffix());
            }
            return s == expected;
        });
        return vm.queryMigrate();
    }

    /**
     * Waits for the Tern VM's run state. The migration status changes first and the run state
     * just after (QEMU's order too: {@code migration_iteration_finish} restarts or parks the VM
     * after the status change), so a test reads the run state by waiting for it.
     */
    static void awaitRunState(MigrationControl vm, RunState expected, QemuPeer qemu) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        RunState now;
        while ((now = vm.runState()) != expected) {
            if (System.nanoTime() > deadline) {
                fail("Tern's run state is " + now.qapiName() + ", not " + expected.qapiName() + "; Tern: "
                        + vm.queryMigrate() + qemu.stderrSuffix());
            }
            Thread.sleep(5);
        }
    }

    /** The port a Tern destination listens on after {@code migrate-incoming tcp:127.0.0.1:0}. */
    static int ternIncomingPort(MigrationControl vm) {
        SocketAddress address = vm.queryMigrate().socketAddress().orElseThrow().getFirst();
        return Integer.parseInt(((SocketAddress.Inet) address).port());
    }

    /**
     * Fills RAM with a fixed mix of page kinds, page {@code i} by {@code i % 5}: all zero, random
     * bytes, one non-zero byte value throughout, zero but for the page's last byte, zero but for
     * its first byte. Zero pages travel as ZERO records, the rest as PAGE records, and the
     * near-zero ones check that nobody's zero-page test looks at part of a page only.
     */
    static void pattern(MemorySegment ram, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] page = new byte[PAGE];
        long pages = ram.byteSize() / PAGE;
        for (long i = 0; i < pages; i++) {
            long at = i * PAGE;
            switch ((int) (i % 5)) {
                case 0 -> ram.asSlice(at, PAGE).fill((byte) 0);
                case 1 -> {
                    random.nextBytes(page);
                    MemorySegment.copy(page, 0, ram, ValueLayout.JAVA_BYTE, at, PAGE);
                }
                case 2 -> ram.asSlice(at, PAGE).fill((byte) (1 + i % 255));
                case 3 -> {
                    ram.asSlice(at, PAGE).fill((byte) 0);
                    ram.set(ValueLayout.JAVA_BYTE, at + PAGE - 1, (byte) 0x5A);
                }
                default -> {
                    ram.asSlice(at, PAGE).fill((byte) 0);
                    ram.set(ValueLayout.JAVA_BYTE, at, (byte) 0xA5);
                }
            }
        }
    }

    /** Asserts equal RAM, naming the first differing byte and page and the bytes there. */
    static void assertSameRam(String what, MemorySegment expected, MemorySegment actual) {
        if (expected.byteSize() != actual.byteSize()) {
            fail(what + ": sizes differ, " + expected.byteSize() + " != " + actual.byteSize());
        }
        long at = MemorySegment.mismatch(expected, 0, expected.byteSize(), actual, 0, actual.byteSize());
        if (at != -1) {
            fail(String.format("%s: RAM differs at byte 0x%x (page %d): expected 0x%02x, found 0x%02x", what, at,
                    at / PAGE, expected.get(ValueLayout.JAVA_BYTE, at), actual.get(ValueLayout.JAVA_BYTE, at)));
        }
    }
}
