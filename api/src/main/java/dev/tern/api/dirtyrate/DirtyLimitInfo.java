package dev.tern.api.dirtyrate;

import dev.tern.api.Qapi;
import java.util.OptionalLong;

/**
 * Dirty page rate limit information of a virtual CPU.
 *
 * QAPI struct {@code DirtyLimitInfo}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 7.1.
 *
 * @param cpuIndex index of a virtual CPU. (QAPI {@code cpu-index})
 * @param limitRate upper limit of dirty page rate (MB/s) for a virtual CPU, 0 means unlimited.
 * (QAPI {@code limit-rate}, uint64)
 * @param currentRate current dirty page rate (MB/s) for a virtual CPU. (QAPI {@code current-rate},
 * uint64)
 */
public record DirtyLimitInfo(
        @Qapi(name = "cpu-index", type = "int64") long cpuIndex,
        @Qapi(name = "limit-rate", type = "uint64") long limitRate,
        @Qapi(name = "current-rate", type = "uint64") long currentRate) {

}
