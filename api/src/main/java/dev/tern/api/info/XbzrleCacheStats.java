package dev.tern.api.info;

import dev.tern.api.Qapi;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Detailed XBZRLE migration cache statistics
 *
 * QAPI struct {@code XBZRLECacheStats}. Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 1.2.
 *
 * @param cacheSize XBZRLE cache size (QAPI {@code cache-size}, size)
 * @param bytes amount of bytes already transferred to the target VM (QAPI {@code bytes})
 * @param pages amount of pages transferred to the target VM (QAPI {@code pages})
 * @param cacheMiss number of cache miss (QAPI {@code cache-miss})
 * @param cacheMissRate rate of cache miss (since 2.1) (QAPI {@code cache-miss-rate})
 * @param encodingRate rate of encoded bytes (since 5.1) (QAPI {@code encoding-rate})
 * @param overflow number of overflows (QAPI {@code overflow})
 */
public record XbzrleCacheStats(
        @Qapi(name = "cache-size", type = "size") long cacheSize,
        @Qapi(name = "bytes", type = "int64") long bytes,
        @Qapi(name = "pages", type = "int64") long pages,
        @Qapi(name = "cache-miss", type = "int64") long cacheMiss,
        @Qapi(name = "cache-miss-rate", type = "number") double cacheMissRate,
        @Qapi(name = "encoding-rate", type = "number") double encodingRate,
        @Qapi(name = "overflow", type = "int64") long overflow) {

}
