package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing VMs and slots gives back every descriptor and every mapping. */
@RequiresKvm
// A vCPU that cannot be kicked hangs pause(): fail such a test instead of the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ResourceLeakTest {
    private static final int VMS = 50;

    @Test
    void guestRamShowsAsASharedMapping() throws IOException {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            int before = sharedMappings().size();
            vm.createMemorySlot(0, 0, 1L << 20, false);
            assertEquals(before + 1, sharedMappings().size());
        }
    }

    @Test
    void fiftyVmsWithSlotsLeaveNoDescriptorOrMappingBehind() throws IOException {
        // Warm up first: class loading, JIT and the per-thread capture segment create
        // descriptors and mappings of their own the first time round.
        cycle(3);
        int fdsBefore = openDescriptors();
        List<String> mapsBefore = sharedMappings();

        cycle(VMS);

        assertEquals(fdsBefore, openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
    }

    @Test
    void vcpusPausedResumedFailedAndClosedLeaveNoDescriptorMappingOrThreadBehind()
            throws IOException, InterruptedException {
        vcpuCycle(2);
        int fdsBefore = openDescriptors();
        List<String> mapsBefore = sharedMappings();

        vcpuCycle(20);

        assertEquals(fdsBefore, openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-vcpu-"))
                .map(Thread::getName).toList(), "vCPU threads left");
    }

    @Test
    void aVcpuShowsItsDescriptorAndKvmRunMapping() throws IOException {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            int fds = openDescriptors();
            int maps = sharedMappings().size();
            KvmVcpu vcpu = vm.createVcpu(0, VcpuIoHandler.NONE);
            assertEquals(fds + 1, openDescriptors());
            assertEquals(maps + 1, sharedMappings().size());
            vcpu.close();
            assertEquals(fds, openDescriptors());
            assertEquals(maps, sharedMappings().size());
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

    private static void cycle(int count) {
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < count; i++) {
                try (KvmVm vm = kvm.createVm()) {
                    MemorySlot low = vm.createMemorySlot(0, 0, 1L << 20, true);
                    vm.createMemorySlot(1, 1L << 20, 2L << 20, false);
                    low.memory().fill((byte) i);
                    if (i % 2 == 0) {
                        // Half the slots are closed by hand, the rest by the VM.
                        low.close();
                    }
                }
            }
        }
    }

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /**
     * The shared mappings ({@code s} in the permissions column): guest RAM is
     * {@code MAP_SHARED|MAP_ANONYMOUS} ("/dev/zero (deleted)"). The JVM's own private
     * mappings (heap growth, code cache, malloc arenas) come and go on their own schedule,
     * so counting every line would make the test fail for reasons that are not ours.
     */
    private static List<String> sharedMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.split(" ", 3)[1].endsWith("s"))
                .toList();
    }
}
