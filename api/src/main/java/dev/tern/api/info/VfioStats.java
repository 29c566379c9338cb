package dev.tern.api.info;

import dev.tern.api.Qapi;
import java.util.OptionalLong;

/**
 * Detailed VFIO devices migration statistics
 *
 * QAPI struct {@code VfioStats}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 5.2.
 *
 * @param transferred amount of bytes transferred to the target VM by VFIO devices (QAPI {@code
 * transferred})
 */
public record VfioStats(
        @Qapi(name = "transferred", type = "int64") long transferred) {

}
