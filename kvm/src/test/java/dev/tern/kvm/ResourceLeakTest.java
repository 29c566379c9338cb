package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing VMs and slots gives back every descriptor and every mapping. */
@RequiresKvm
// A vCPU that cannot be kicked hangs pause(): fail such a test instead of the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ResourceLeakTest {
    private static final int VMS = 50;

    @Test
    void guestRamIsAPrivateMappingThatCloseUnmaps() throws IOException {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            MemorySlot slot = vm.createMemorySlot(0, 0, 1L << 20, false);
            long start = slot.memory().address();
            long end = start + slot.size();
            // The kernel may merge the slot with a neighbouring private mapping: find the line covering it.
            List<String> lines = mappingsCovering(start, end);
            assertEquals(1, lines.size(), "a mapping covering the slot");
            assertEquals("rw-p", lines.getFirst().split(" ", 3)[1], "private, like QEMU's anonymous RAM");
            slot.close();
            assertEquals(List.of(), mappingsCovering(start, end), "unmapped by close");
        }
    }

    @Test
    void fiftyVmsWithSlotsLeaveNoDescriptorOrMappingBehind() throws IOException {
        // Warm up first: class loading, JIT and the per-thread capture segment create
        // descriptors and mappings of their own the first time round.
        cycle(3);
        int fdsBefore = NativeResources.openDescriptors();
        List<String> mapsBefore = NativeResources.sharedMappings();

        List<String> ram = cycle(VMS);

        assertEquals(fdsBefore, NativeResources.openDescriptors(), "entries in /proc/self/fd");
        // Guest RAM is private anonymous memory: no mapping with a slot's exact range is left
        // (merged or reused ranges are the kernel's and the JVM's, not a leak of ours).
        assertEquals(List.of(), mappingsOf(ram), "guest RAM still mapped");
        List<String> mapsAfter = NativeResources.sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
    }

    @Test
    void vcpusPausedResumedFailedAndClosedLeaveNoDescriptorMappingOrThreadBehind()
            throws IOException, InterruptedException {
        vcpuCycle(2);
        int fdsBefore = NativeResources.openDescriptors();
        List<String> mapsBefore = NativeResources.sharedMappings();

        vcpuCycle(20);

        assertEquals(fdsBefore, NativeResources.openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = NativeResources.sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-vcpu-"))
                .map(Thread::getName).toList(), "vCPU threads left");
    }

    @Test
    void aVcpuShowsItsDescriptorAndKvmRunMapping() throws IOException {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            int fds = NativeResources.openDescriptors();
            int maps = NativeResources.sharedMappings().size();
            KvmVcpu vcpu = vm.createVcpu(0, VcpuIoHandler.NONE);
            assertEquals(fds + 1, NativeResources.openDescriptors());
            assertEquals(maps + 1, NativeResources.sharedMappings().size());
            vcpu.close();
            assertEquals(fds, NativeResources.openDescriptors());
            assertEquals(maps, NativeResources.sharedMappings().size());
        }
    }

    /** Sweep guests run, paused, resumed, throttled and closed; guests that triple-fault; vCPUs never started. */
    private static void vcpuCycle(int count) throws InterruptedException {
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < count; i++) {
                try (SweepGuest guest = SweepGuest.create(kvm, 2L << 20, program)) {
                    guest.vcpu().start();
                    guest.awaitPasses(1, Duration.ofSeconds(60));
                    guest.vcpu().setThrottle(i % 2 == 0 ? 50 : 0);
                    for (int p = 0; p < 3; p++) {
                        guest.vcpu().pause();
                        guest.vcpu().resume();
                    }
                    if (i % 3 == 0) {
                        // Closed by hand, before the VM closes it.
                        guest.vcpu().close();
                    }
                }
                try (CodeGuest failing = new CodeGuest(kvm, VcpuIoHandler.NONE, (byte) 0x0F, (byte) 0x0B)) {
                    failing.vcpu.start();
                    failing.vcpu.awaitEnd(Duration.ofSeconds(60));
                    failing.vm.createVcpu(1, VcpuIoHandler.NONE);
                }
            }
        }
    }

    /** Creates and closes VMs with slots; returns the slots' address ranges as /proc/self/maps prints them. */
    private static List<String> cycle(int count) {
        List<String> ram = new java.util.ArrayList<>();
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < count; i++) {
                try (KvmVm vm = kvm.createVm()) {
                    MemorySlot low = vm.createMemorySlot(0, 0, 1L << 20, true);
                    MemorySlot high = vm.createMemorySlot(1, 1L << 20, 2L << 20, false);
                    ram.add(range(low.memory().address(), low.size()));
                    ram.add(range(high.memory().address(), high.size()));
                    low.memory().fill((byte) i);
                    if (i % 2 == 0) {
                        // Half the slots are closed by hand, the rest by the VM.
                        low.close();
                    }
                }
            }
        }
        return ram;
    }

    /** An address range as /proc/self/maps prints it ({@code start-end}, lowercase hex). */
    private static String range(long address, long size) {
        return Long.toHexString(address) + "-" + Long.toHexString(address + size);
    }

    /** The /proc/self/maps lines whose range covers {@code [start, end)}. */
    private static List<String> mappingsCovering(long start, long end) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> {
            String[] bounds = line.split(" ", 2)[0].split("-");
            return Long.parseUnsignedLong(bounds[0], 16) <= start && end <= Long.parseUnsignedLong(bounds[1], 16);
        }).toList();
    }

    /** The /proc/self/maps lines whose range is exactly one of {@code ranges}. */
    private static List<String> mappingsOf(List<String> ranges) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> ranges.contains(line.split(" ", 2)[0]))
                .toList();
    }
}
