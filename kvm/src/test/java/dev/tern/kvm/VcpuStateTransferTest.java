package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A paused guest's registers and RAM handed to a fresh VM: the guest continues exactly where it
 * stopped, as after a migration.
 */
@RequiresKvm
// A vCPU that cannot be kicked hangs pause(): fail such a test instead of the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VcpuStateTransferTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final long RAM = 8L << 20;
    private static final SweepGuestProgram PROGRAM = new SweepGuestProgram(0x10_0000, 0x80_0000, 1);

    @Test
    void guestContinuesInAFreshVmFromItsSavedStateAndRam() throws IOException, InterruptedException {
        try (Kvm kvm = Kvm.open()) {
            for (int round = 0; round < 5; round++) {
                handOver(kvm, round);
            }
        }
    }

    @Test
    void qemusGeometryHandsOverToo() throws IOException, InterruptedException {
        // QEMU's migration test: 150 MiB of RAM, pages from 1 MiB to 100 MiB.
        try (Kvm kvm = Kvm.open()) {
            handOver(kvm, new SweepGuestProgram(1L << 20, 100L << 20, 1), 150L << 20, 2);
        }
    }

    private static void handOver(Kvm kvm, int round) throws IOException, InterruptedException {
        handOver(kvm, PROGRAM, RAM, 3 + round);
    }

    private static void handOver(Kvm kvm, SweepGuestProgram program, long ramSize, int passes)
            throws IOException, InterruptedException {
        try (SweepGuest destination = SweepGuest.createIncoming(kvm, ramSize, program)) {
            byte[] section;
            VcpuState saved;
            // The source is gone before the destination runs, as after a migration.
            try (SweepGuest source = SweepGuest.create(kvm, ramSize, program)) {
                source.vcpu().start();
                assertTrue(source.awaitPasses(passes, LONG));
                source.vcpu().pause();
                SweepRamCheck atStop = source.check();
                assertTrue(atStop.consistent(), atStop::message);
                VcpuSection out = new VcpuSection(source.vcpu());
                assertEquals("cpu", out.idstr());
                assertEquals(0, out.instanceId());
                assertEquals(VcpuState.VERSION, out.versionId());
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                out.save(new DataOutputStream(bytes));
                section = bytes.toByteArray();
                saved = source.vcpu().saveState();
                MemorySegment.copy(source.ram().memory(), 0, destination.ram().memory(), 0, ramSize);
            }

            new VcpuSection(destination.vcpu()).load(new DataInputStream(new ByteArrayInputStream(section)),
                    VcpuState.VERSION);
            VcpuState loaded = destination.vcpu().saveState();
            assertArrayEquals(saved.regs(), loaded.regs(), "kvm_regs");
            assertArrayEquals(saved.sregs(), loaded.sregs(), "kvm_sregs");
            assertArrayEquals(saved.fpu(), loaded.fpu(), "kvm_fpu");
            assertArrayEquals(saved.events(), loaded.events(), "kvm_vcpu_events");
            assertArrayEquals(saved.msrIndices(), loaded.msrIndices(), "the same MSRs");
            for (int index : saved.msrIndices()) {
                if (index != 0x10) { // the TSC keeps counting
                    assertEquals(saved.msr(index), loaded.msr(index), () -> "MSR 0x" + Integer.toHexString(index));
                }
            }

            long passesAtStop = saved.register("rbx");
            destination.vcpu().start();
            // One 'B' may be the source's last pass, whose out the source had not reached.
            assertTrue(destination.awaitPasses(4, LONG), () -> "the destination runs: " + destination.vcpu());
            destination.vcpu().pause();
            assertEquals(Optional.empty(), destination.vcpu().failure());
            // It continued: no 'A' (it did not start over), and its pass counter went on from the source's.
            assertEquals(0, destination.startMarks());
            long after = destination.vcpu().saveState().register("rbx");
            assertTrue(after >= passesAtStop + 3, () -> "rbx " + after + " after " + passesAtStop);
            // And its sweep went on from the source's position: had it restarted from the first page
            // (or lost pages) the RAM would show a second step.
            SweepRamCheck check = destination.check();
            assertTrue(check.consistent(), check::message);
        }
    }
}
