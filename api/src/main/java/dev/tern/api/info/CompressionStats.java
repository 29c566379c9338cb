package dev.tern.api.info;

import dev.tern.api.Qapi;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Detailed migration compression statistics
 *
 * QAPI struct {@code CompressionStats}. Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 3.1.
 *
 * @param pages amount of pages compressed and transferred to the target VM (QAPI {@code pages})
 * @param busy count of times that no free thread was available to compress data (QAPI {@code
 * busy})
 * @param busyRate rate of thread busy (QAPI {@code busy-rate})
 * @param compressedSize amount of bytes after compression (QAPI {@code compressed-size})
 * @param compressionRate rate of compressed size (QAPI {@code compression-rate})
 */
public record CompressionStats(
        @Qapi(name = "pages", type = "int64") long pages,
        @Qapi(name = "busy", type = "int64") long busy,
        @Qapi(name = "busy-rate", type = "number") double busyRate,
        @Qapi(name = "compressed-size", type = "int64") long compressedSize,
        @Qapi(name = "compression-rate", type = "number") double compressionRate) {

}
