package dev.tern.api.dirtyrate;

import dev.tern.api.Qapi;
import java.util.OptionalLong;

/**
 * Dirty rate of vcpu.
 *
 * QAPI struct {@code DirtyRateVcpu}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 6.2.
 *
 * @param id vcpu index. (QAPI {@code id})
 * @param dirtyRate dirty rate. (QAPI {@code dirty-rate})
 */
public record DirtyRateVcpu(
        @Qapi(name = "id", type = "int64") long id,
        @Qapi(name = "dirty-rate", type = "int64") long dirtyRate) {

}
