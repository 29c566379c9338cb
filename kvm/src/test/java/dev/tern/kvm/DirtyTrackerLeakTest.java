package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trackers in every mode, with rings mapped from vCPUs, give back every descriptor and mapping. */
@RequiresKvm
class DirtyTrackerLeakTest {
    private static final int VMS = 30;

    @Test
    void eachVcpuRingIsASharedMappingUntilTheTrackerCloses() throws IOException {
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            KvmDirtyTracker ring = KvmDirtyTracker.createRing(vm, 1024);
            int before = NativeResources.sharedMappings().size();
            vm.createVcpu(0, VcpuIoHandler.NONE);
            vm.createVcpu(1, VcpuIoHandler.NONE);
            // kvm_run and the ring of each vCPU.
            assertEquals(before + 4, NativeResources.sharedMappings().size());
            ring.close();
            assertEquals(before + 2, NativeResources.sharedMappings().size());
        }
    }

    @Test
    void vmsWithTrackersLeaveNoDescriptorOrMappingBehind() throws IOException {
        cycle(3);
        int fdsBefore = NativeResources.openDescriptors();
        List<String> mapsBefore = NativeResources.sharedMappings();

        cycle(VMS);

        assertEquals(fdsBefore, NativeResources.openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = NativeResources.sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
    }

    private static void cycle(int count) {
        DirtyTrackingMode[] modes = DirtyTrackingMode.values();
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < count; i++) {
                DirtyTrackingMode mode = modes[i % modes.length];
                try (KvmVm vm = kvm.createVm()) {
                    MemorySlot slot = vm.createMemorySlot(0, 0, 1L << 20, false);
                    try (KvmDirtyTracker tracker = KvmDirtyTracker.create(vm, mode)) {
                        vm.createVcpu(0, VcpuIoHandler.NONE);
                        vm.createVcpu(1, VcpuIoHandler.NONE);
                        tracker.start();
                        tracker.syncInto(slot, MemorySegment.ofArray(new long[4]));
                        tracker.stop();
                    }
                }
            }
        }
    }
}
