package dev.tern.core.guest;

import java.util.concurrent.atomic.LongAdder;

/**
 * One vCPU thread's life: time slices of {@value ReferenceVcpus#SLICE_NANOS} ns of running, in
 * which the workload writes up to its rate budget; after each slice the throttle sleep; and a
 * look at the gate before every write, so that a pause never waits for more than one write.
 */
final class VcpuLoop implements Runnable {
    /** Writes between two looks at the clock: nanoTime costs more than a sweep step. */
    private static final int CLOCK_EVERY = 64;

    private final ReferenceVcpus vcpus;
    private final VcpuGate gate;
    private final WriteStep step;
    private final RateBudget rate;
    private final LongAdder pagesWritten;

    /**
     * A vCPU that writes.
     *
     * @param vcpus the vCPU control (gate and throttle)
     * @param step the workload's write
     * @param rate this vCPU's write budget
     * @param pagesWritten counts every write, for rate measurements
     */
    VcpuLoop(ReferenceVcpus vcpus, WriteStep step, RateBudget rate, LongAdder pagesWritten) {
        this.vcpus = vcpus;
        this.gate = vcpus.gate();
        this.step = step;
        this.rate = rate;
        this.pagesWritten = pagesWritten;
    }

    /**
     * A vCPU with nothing to do: it rests (counted as parked) slice after slice.
     *
     * @param vcpus the vCPU control
     * @return the loop
     */
    static Runnable idle(ReferenceVcpus vcpus) {
        VcpuGate gate = vcpus.gate();
        return () -> {
            while (gate.rest(ReferenceVcpus.SLICE_NANOS)) {
                // Nothing to run; the gate still stops and ends this vCPU.
            }
        };
    }

    @Override
    public void run() {
        long sliceStart = System.nanoTime();
        long budget = rate.nextSlice();
        int sinceClock = 0;
        long unreported = 0;
        while (true) {
            if (gate.mustPark()) {
                pagesWritten.add(unreported);
                unreported = 0;
                if (!gate.park()) {
                    return;
                }
                // Time parked is not time run: the slice starts again.
                sliceStart = System.nanoTime();
                budget = rate.nextSlice();
                sinceClock = 0;
                continue;
            }
            if (budget == 0) {
                // Rate reached: wait out the slice without running guest code.
                pagesWritten.add(unreported);
                unreported = 0;
                long left = ReferenceVcpus.SLICE_NANOS - (System.nanoTime() - sliceStart);
                if ((left > 0 && !gate.rest(left)) || !throttle()) {
                    return;
                }
                sliceStart = System.nanoTime();
                budget = rate.nextSlice();
                sinceClock = 0;
                continue;
            }
            step.writeOne();
            budget--;
            unreported++;
            if (++sinceClock == CLOCK_EVERY) {
                sinceClock = 0;
                pagesWritten.add(unreported);
                unreported = 0;
                if (System.nanoTime() - sliceStart >= ReferenceVcpus.SLICE_NANOS) {
                    if (!throttle()) {
                        return;
                    }
                    sliceStart = System.nanoTime();
                    budget = rate.nextSlice();
                }
            }
        }
    }

    /**
     * The end of a slice: sleep as the throttle says.
     *
     * @return false if the vCPU must end
     */
    private boolean throttle() {
        int percent = vcpus.throttlePercent();
        return percent == 0 || gate.rest(ReferenceVcpus.sleepPerSliceNanos(percent));
    }
}
