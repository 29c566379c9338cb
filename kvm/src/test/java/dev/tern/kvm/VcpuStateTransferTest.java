package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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

    private static void handOver(Kvm kvm, int round) throws IOException, InterruptedException {
        byte[] section;
        byte[] ram;
        VcpuState saved;
        try (SweepGuest source = SweepGuest.create(kvm, RAM, PROGRAM)) {
            source.vcpu().start();
            assertTrue(source.awaitPasses(3 + round, LONG));
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
            ram = source.ram().memory().toArray(JAVA_BYTE);
        }

        try (SweepGuest destination = SweepGuest.createIncoming(kvm, RAM, PROGRAM)) {
            MemorySegment.copy(ram, 0, destination.ram().memory(), JAVA_BYTE, 0, ram.length);
            new VcpuSection(destination.vcpu()).load(new DataInputStream(new ByteArrayInputStream(section)),
                    VcpuState.VERSION);
            VcpuState loaded = destination.vcpu().saveState();
            assertArrayEquals(saved.regs(), loaded.regs(), "kvm_regs");
            assertArrayEquals(saved.sregs(), loaded.sregs(), "kvm_sregs");
            assertArrayEquals(saved.fpu(), loaded.fpu(), "kvm_fpu");
            assertArrayEquals(saved.msrIndices(), loaded.msrIndices(), "the same MSRs");
            for (int index : saved.msrIndices()) {
                if (index != 0x10) { // the TSC keeps counting
                    assertEquals(saved.msr(index), loaded.msr(index), () -> "MSR 0x" + Integer.toHexString(index));
                }
            }

            long passesAtStop = saved.register("rbx");
            destination.vcpu().start();
            assertTrue(destination.awaitPasses(4, LONG), () -> "the destination runs: " + destination.vcpu());
            destination.vcpu().pause();
            assertEquals(Optional.empty(), destination.vcpu().failure());
            // It continued: no 'A' (it did not start over), and its pass counter went on from the source's.
            assertEquals(0, destination.startMarks());
            long passes = destination.vcpu().saveState().register("rbx");
            assertTrue(passes >= passesAtStop + 3, () -> "rbx " + passes + " after " + passesAtStop);
            // And its sweep went on from the source's position: had it restarted from the first page
            // (or lost pages) the RAM would show a second step.
            SweepRamCheck check = destination.check();
            assertTrue(check.consistent(), check::message);
        }
    }
}
