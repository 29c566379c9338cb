package dev.tern.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Measures what one {@link KvmDirtyTracker#syncInto} of a 1 GiB slot costs in each mode, at a
 * few densities of guest-dirtied pages, in one run (a harness, not a test: run its
 * {@code main} once; see the class path in the report). Before each timed sync the sweep guest
 * runs two whole passes over the dirty share of the slot and is paused, so the sync reports
 * exactly that share. In ring mode most entries are harvested by the vCPU on its ring-full
 * exits while it runs, so the figure is the sync's own share (the last ring contents and the
 * pending-bitmap transfer), not the whole cost of tracking.
 */
final class DirtySyncCost {
    private static final long GIB = 1L << 30;
    private static final double[] DENSITIES = {0.0, 0.01, 0.10, 1.0};
    private static final int REPETITIONS = 7;

    private DirtySyncCost() {
    }

    public static void main(String[] args) throws InterruptedException {
        long slotPages = GIB / TrackedSweepGuest.PAGE;
        System.out.printf("%-13s %8s %14s %14s %12s%n", "mode", "density", "median ns/GiB", "min ns/GiB",
                "pages");
        try (Kvm kvm = Kvm.open(); Arena arena = Arena.ofConfined()) {
            MemorySegment bitmap = arena.allocate(DirtyBitmapWords.words(slotPages) * 8, 8);
            // Untimed: lets the JIT compile the sync paths, harvests included, before the first figure.
            for (DirtyTrackingMode mode : DirtyTrackingMode.values()) {
                try (TrackedSweepGuest g = new TrackedSweepGuest(kvm, GIB,
                        new SweepGuestProgram(16 * TrackedSweepGuest.PAGE, 1040 * TrackedSweepGuest.PAGE, 1), mode,
                        65536)) {
                    g.tracker.start();
                    g.vcpu.pause();
                    g.vcpu.start();
                    for (int i = 0; i < 200; i++) {
                        g.runPasses(1);
                        g.tracker.syncInto(g.ram, bitmap);
                    }
                }
            }
            for (double density : DENSITIES) {
                for (DirtyTrackingMode mode : DirtyTrackingMode.values()) {
                    long sweptPages = Math.max(1, Math.min(slotPages - 16, (long) (slotPages * density)));
                    SweepGuestProgram program = new SweepGuestProgram(16 * TrackedSweepGuest.PAGE,
                            (16 + sweptPages) * TrackedSweepGuest.PAGE, 1);
                    // The largest ring (65536 entries), as few ring-full exits as possible.
                    try (TrackedSweepGuest g = new TrackedSweepGuest(kvm, GIB, program, mode, 65536)) {
                        g.tracker.start();
                        g.tracker.syncInto(g.ram, bitmap);
                        g.vcpu.pause();
                        g.vcpu.start();
                        long[] nanos = new long[REPETITIONS];
                        long reported = 0;
                        for (int r = 0; r < REPETITIONS; r++) {
                            if (density > 0) {
                                try {
                                    g.runPasses(2);
                                } catch (AssertionError stuck) {
                                    System.out.printf("%-13s %7.0f%% the guest stopped making progress: %s%n", mode,
                                            density * 100, stuck.getMessage());
                                    nanos = null;
                                    break;
                                }
                            }
                            bitmap.fill((byte) 0);
                            long start = System.nanoTime();
                            reported = g.tracker.syncInto(g.ram, bitmap);
                            nanos[r] = System.nanoTime() - start;
                        }
                        if (nanos == null) {
                            continue;
                        }
                        Arrays.sort(nanos);
                        System.out.printf("%-13s %7.0f%% %14d %14d %12d%n", mode, density * 100,
                                nanos[REPETITIONS / 2], nanos[0], density > 0 ? reported : 0);
                    }
                }
            }
        }
    }
}
