package dev.tern.benchmarks.harness;

import dev.tern.core.guest.Workload;
import dev.tern.kvm.KvmGuest;

/**
 * The sweep a KVM guest runs for a scenario's workload. A {@link KvmGuest} always runs QEMU's
 * A-B sweep (spec 15.1) over a range of its RAM, so the reference guest's workloads map onto
 * ranges: {@link Workload.SequentialSweep} onto the same range (starting no lower than
 * {@link KvmGuest#DEFAULT_SWEEP_START}, above the guest's code pages), and
 * {@link Workload.Idle} onto a single page at {@link KvmGuest#DEFAULT_SWEEP_START}, which the vCPU
 * rewrites forever while the rest of RAM stays as it was: the closest a KVM guest comes to idle.
 *
 * @param start the first swept page, a guest physical address
 * @param end the end of the range (exclusive)
 */
record KvmSweepRange(long start, long end) {
    /** A page of guest RAM. */
    static final long PAGE = 4096;

    /**
     * Checks the range.
     *
     * @throws IllegalArgumentException if the range is empty or not page-aligned
     */
    KvmSweepRange {
        if (start < 0 || end <= start || start % PAGE != 0 || end % PAGE != 0) {
            throw new IllegalArgumentException(String.format("not a sweep range: [0x%x, 0x%x)", start, end));
        }
    }

    /**
     * The range a KVM guest sweeps for a workload.
     *
     * @param workload what the scenario's guest does
     * @param ramBytes the guest's RAM
     * @return the range
     * @throws IllegalArgumentException if the workload is not idle or a sweep (a KVM guest runs
     *     nothing else), or the sweep ends at or below {@link KvmGuest#DEFAULT_SWEEP_START} or
     *     beyond the RAM
     */
    static KvmSweepRange of(Workload workload, long ramBytes) {
        KvmSweepRange range = switch (workload) {
            case Workload.Idle _ -> new KvmSweepRange(KvmGuest.DEFAULT_SWEEP_START, KvmGuest.DEFAULT_SWEEP_START + PAGE);
            case Workload.SequentialSweep sweep -> {
                long from = Math.max(sweep.fromOffset(), KvmGuest.DEFAULT_SWEEP_START);
                if (sweep.toOffset() <= from) {
                    throw new IllegalArgumentException(String.format("a KVM guest sweeps from 0x%x up: sweep [0x%x, 0x%x)",
                            KvmGuest.DEFAULT_SWEEP_START, sweep.fromOffset(), sweep.toOffset()));
                }
                yield new KvmSweepRange(from, sweep.toOffset());
            }
            case Workload.UniformRandom _, Workload.HotSet _ -> throw new IllegalArgumentException(
                    "a KVM guest runs only the sweep, not " + workload);
        };
        if (range.end > ramBytes) {
            throw new IllegalArgumentException(String.format("sweep [0x%x, 0x%x) beyond %d bytes of RAM", range.start,
                    range.end, ramBytes));
        }
        return range;
    }

    /**
     * Whether the guest is as good as idle: it rewrites one page.
     *
     * @return true for a one-page range
     */
    boolean idle() {
        return end - start == PAGE;
    }

    /**
     * Where the harness may put page data without touching the guest's code or the sweep: above
     * the range.
     *
     * @return a guest physical address, the range's end
     */
    long fillFrom() {
        return end;
    }

    /**
     * Says what the vCPU does, for the log.
     *
     * @return for example {@code 1 KVM vCPU sweeping 1 page at 0x100000 (idle)}
     */
    String describe() {
        return idle() ? String.format("1 KVM vCPU sweeping 1 page at 0x%x (idle)", start)
                : String.format("1 KVM vCPU sweeping %d MiB at full speed", (end - start) >> 20);
    }
}
