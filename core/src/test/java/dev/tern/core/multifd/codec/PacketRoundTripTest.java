package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of random packets through ONE compressor and ONE decompressor per method and level,
 * as one channel carries them for a whole migration: every page comes back identical, every
 * payload is consumed, no payload exceeds {@code outputBound}, and no byte around the
 * destination pages changes.
 */
class PacketRoundTripTest {
    private static final int P = 4096;

    static Stream<Arguments> channels() {
        return Stream.of(
                Arguments.of(MultiFdCompression.ZLIB, 0, 2000),
                Arguments.of(MultiFdCompression.ZLIB, 1, 3000),
                Arguments.of(MultiFdCompression.ZLIB, 9, 600),
                Arguments.of(MultiFdCompression.ZSTD, 0, 1500),
                Arguments.of(MultiFdCompression.ZSTD, 1, 3000),
                Arguments.of(MultiFdCompression.ZSTD, 3, 1500),
                Arguments.of(MultiFdCompression.ZSTD, 19, 150));
    }

    @ParameterizedTest(name = "{0} level {1}, {2} packets")
    @MethodSource("channels")
    void everyPacketComesBackIdenticalOnOnePersistentPair(MultiFdCompression method, int level, int packets)
            throws Exception {
        SplittableRandom random = new SplittableRandom(1000L * level + method.ordinal());
        try (GuardedPages src = new GuardedPages(128, P);
                GuardedPages dst = new GuardedPages(128, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, level, P, 3);
                PacketDecompressor decompressor = PacketCodecs.decompressor(method, P, 3)) {
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(128));
            for (int packet = 0; packet < packets; packet++) {
                // Mostly short packets (a few dirty pages per block), with full ones among them.
                int count = random.nextInt(6) == 0 ? 1 + random.nextInt(128) : 1 + random.nextInt(8);
                for (int i = 0; i < count; i++) {
                    src.fillMixed(i, random);
                }
                int bound = compressor.outputBound(count);
                out.clear().limit(bound);
                int produced = compressor.compress(src.views(), count, out);
                assertEquals(out.position(), produced);
                assertTrue(produced <= bound);
                out.flip();
                decompressor.decompress(out, dst.views(), count);
                assertFalse(out.hasRemaining(), "payload of packet " + packet + " not consumed");
                for (int i = 0; i < count; i++) {
                    assertEquals(-1L, src.page(i).mismatch(dst.page(i)), "packet " + packet + " page " + i);
                }
            }
            dst.checkGuards();
            src.checkGuards();
        }
    }
}
