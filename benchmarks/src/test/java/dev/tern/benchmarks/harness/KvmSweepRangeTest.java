package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.core.guest.Workload;
import org.junit.jupiter.api.Test;

/** The sweep a KVM guest runs for each workload the harness names. */
class KvmSweepRangeTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void idleIsOnePageAtTheDefaultSweepStart() {
        KvmSweepRange idle = KvmSweepRange.of(Workload.idle(), GIB);
        assertEquals(new KvmSweepRange(MIB, MIB + 4096), idle);
        assertTrue(idle.idle());
        assertEquals(MIB + 4096, idle.fillFrom(), "data goes above the swept page");
        assertEquals("1 KVM vCPU sweeping 1 page at 0x100000 (idle)", idle.describe());
    }

    @Test
    void aSweepKeepsItsRangeAboveTheCodePages() {
        KvmSweepRange all = KvmSweepRange.of(Workload.sequentialSweep(0, GIB), GIB);
        assertEquals(new KvmSweepRange(MIB, GIB), all, "raised to 1 MiB, above the code pages");
        assertFalse(all.idle());
        assertEquals(GIB, all.fillFrom(), "nothing left to fill");
        assertEquals("1 KVM vCPU sweeping 1023 MiB at full speed", all.describe());
        assertEquals(new KvmSweepRange(2 * MIB, 3 * MIB), KvmSweepRange.of(Workload.sequentialSweep(2 * MIB, 3 * MIB), GIB));
        assertEquals(new KvmSweepRange(MIB, MIB + 8192), KvmSweepRange.of(Workload.sequentialSweep(0, MIB + 8192), GIB),
                "the smallest that is not idle");
        assertFalse(new KvmSweepRange(MIB, MIB + 8192).idle());
    }

    @Test
    void whatAKvmGuestCannotRunIsRefused() {
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> KvmSweepRange.of(Workload.sequentialSweep(0, MIB), GIB));
        assertEquals("a KVM guest sweeps from 0x100000 up: sweep [0x0, 0x100000)", below.getMessage());
        IllegalArgumentException random = assertThrows(IllegalArgumentException.class,
                () -> KvmSweepRange.of(Workload.uniformRandom(1000), GIB));
        assertTrue(random.getMessage().startsWith("a KVM guest runs only the sweep, not "), random.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KvmSweepRange.of(Workload.hotSet(0.1, 0.9, 0), GIB));
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
                () -> KvmSweepRange.of(Workload.sequentialSweep(0, 2 * GIB), GIB));
        assertEquals("sweep [0x100000, 0x80000000) beyond 1073741824 bytes of RAM", beyond.getMessage());
        assertEquals(MIB + 4096, KvmSweepRange.of(Workload.idle(), MIB + 4096).end(), "idle fits exactly");
        assertThrows(IllegalArgumentException.class, () -> KvmSweepRange.of(Workload.idle(), MIB));
    }

    @Test
    void theRangeMustBePageAlignedAndNotEmpty() {
        assertThrows(IllegalArgumentException.class, () -> new KvmSweepRange(MIB, MIB));
        assertThrows(IllegalArgumentException.class, () -> new KvmSweepRange(MIB + 1, 2 * MIB));
        assertThrows(IllegalArgumentException.class, () -> new KvmSweepRange(MIB, 2 * MIB - 1));
        assertEquals("not a sweep range: [0x200000, 0x100000)",
                assertThrows(IllegalArgumentException.class, () -> new KvmSweepRange(2 * MIB, MIB)).getMessage());
    }
}
