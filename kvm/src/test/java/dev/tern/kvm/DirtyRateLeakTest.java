package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dirty-rate measurements and dirty limits on KVM guests, closed, give back every descriptor,
 * every shared mapping (guest RAM, {@code kvm_run}, dirty rings) and every thread (the vCPUs,
 * {@code get_dirtyrate}, {@code dirtyrate-stat}), as {@link ResourceLeakTest} counts them.
 */
@RequiresKvm
@Timeout(300)
class DirtyRateLeakTest {
    private static final long MIB = 1L << 20;

    @Test
    void measuredAndLimitedGuestsLeaveNothingBehind() throws IOException, InterruptedException {
        // Warm up: class loading and the first native calls create descriptors of their own.
        cycle();
        int fdsBefore = NativeResources.openDescriptors();
        List<String> mapsBefore = NativeResources.sharedMappings();

        for (int i = 0; i < 3; i++) {
            cycle();
        }

        assertEquals(fdsBefore, NativeResources.openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = NativeResources.sharedMappings();
        assertEquals(mapsBefore.size(), mapsAfter.size(), () -> "shared lines in /proc/self/maps; new ones:\n"
                + String.join("\n", mapsAfter.stream().filter(line -> !mapsBefore.contains(line)).toList()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("tern-vcpu-")
                        || t.getName().equals("get_dirtyrate") || t.getName().equals("dirtyrate-stat")))
                .map(Thread::getName).toList(), "threads left");
    }

    /** A ring guest measured and limited (the limit left set), a bitmap guest measured. */
    private static void cycle() throws InterruptedException {
        try (RecordingGuest guest = new RecordingGuest(64 * MIB, MIB, 33 * MIB, DirtyTrackingMode.RING);
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            // No wait for passes: whether the vCPU runs on or stops, everything must come back.
            vm.calcDirtyRate(1, OptionalLong.empty(), Optional.of(DirtyRateMeasureMode.DIRTY_RING));
            DirtyRateGuestTest.awaitMeasured(vm);
            vm.setVcpuDirtyLimit(OptionalLong.empty(), 100);
            Thread.sleep(1200);
        }
        try (RecordingGuest guest = new RecordingGuest(64 * MIB, MIB, 33 * MIB, DirtyTrackingMode.MANUAL_CLEAR);
                MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            guest.awaitPasses(1);
            vm.calcDirtyRate(1, OptionalLong.empty(), Optional.of(DirtyRateMeasureMode.DIRTY_BITMAP));
            DirtyRateGuestTest.awaitMeasured(vm);
        }
    }
}
