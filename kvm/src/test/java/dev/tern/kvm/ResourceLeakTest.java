package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Closing VMs and slots gives back every descriptor and every mapping. */
@RequiresKvm
class ResourceLeakTest {
    private static final int VMS = 50;

    @Test
    void fiftyVmsWithSlotsLeaveNoDescriptorOrMappingBehind() throws IOException {
        // Warm up first: class loading, JIT and the per-thread capture segment create
        // descriptors and mappings of their own the first time round.
        cycle(3);
        int fdsBefore = openDescriptors();
        List<String> mapsBefore = mappings();

        cycle(VMS);

        assertEquals(fdsBefore, openDescriptors(), "entries in /proc/self/fd");
        assertEquals(mapsBefore.size(), mappings().size(), () -> "lines in /proc/self/maps; now:\n" + String.join("\n", mappingsOrEmpty()));
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

    private static List<String> mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps"));
    }

    private static List<String> mappingsOrEmpty() {
        try {
            return mappings();
        } catch (IOException e) {
            return List.of();
        }
    }
}
