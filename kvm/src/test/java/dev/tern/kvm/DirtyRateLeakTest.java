package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
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
        int fdsBefore = openDescriptors();
        List<String> mapsBefore = sharedMappings();

        for (int i = 0; i < 3; i++) {
            cycle();
        }

        assertEquals(fdsBefore, openDescriptors(), "entries in /proc/self/fd");
        List<String> mapsAfter = sharedMappings();
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

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Shared mappings only: kvm_run areas, rings and file-backed RAM are MAP_SHARED. */
    private static List<String> sharedMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.split(" ", 3)[1].endsWith("s"))
                .toList();
    }
}
