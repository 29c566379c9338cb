package dev.tern.core.dirtyrate;

import dev.tern.api.dirtyrate.DirtyRateVcpu;
import java.util.List;
import java.util.Optional;

/**
 * What one finished measurement leaves in QEMU's {@code DirtyStat}.
 *
 * @param startTimeSec the measurement's start, whole seconds of the clock
 * @param calcTimeSec the measured period, whole seconds (the millisecond period divided by 1000)
 * @param dirtyRate the rate in MB/s, or -1 when page sampling took no samples
 * @param vcpuRates the per-vCPU rates, in dirty-ring mode only
 */
record Outcome(long startTimeSec, long calcTimeSec, long dirtyRate, Optional<List<DirtyRateVcpu>> vcpuRates) {
    Outcome {
        vcpuRates = vcpuRates.map(List::copyOf);
    }
}
