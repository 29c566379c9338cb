package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code multifd-zlib-level} / {@code multifd-zstd-level} are honoured; outputBound holds on the worst data. */
class LevelAndBoundTest {
    private static final int P = 4096;

    /** The channel's whole output for 40 packets of text-like pages, at one level. */
    private static byte[] channelStream(MultiFdCompression method, int level, GuardedPages.Content content)
            throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (GuardedPages src = new GuardedPages(32, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, level, P, 0)) {
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(32));
            for (int packet = 0; packet < 40; packet++) {
                for (int i = 0; i < 32; i++) {
                    src.fill(i, content, random);
                }
                out.clear();
                compressor.compress(src.views(), 32, out);
                out.flip();
                byte[] payload = new byte[out.remaining()];
                out.get(payload);
                stream.write(payload);
            }
        }
        return stream.toByteArray();
    }

    @Test
    void zlibLevelsAreHonoured() throws Exception {
        int input = 40 * 32 * P;
        byte[] stored = channelStream(MultiFdCompression.ZLIB, 0, GuardedPages.Content.TEXT);
        byte[] fast = channelStream(MultiFdCompression.ZLIB, 1, GuardedPages.Content.TEXT);
        byte[] best = channelStream(MultiFdCompression.ZLIB, 9, GuardedPages.Content.TEXT);
        assertEquals(input, storedPayloadBytes(stored), "level 0 must store, not compress");
        assertTrue(fast.length < input / 2, "level 1: " + fast.length);
        assertTrue(best.length < fast.length, "level 9 " + best.length + " vs level 1 " + fast.length);
    }

    /**
     * Walks a zlib stream made only of stored blocks (RFC 1951 BTYPE 00, each starting on a byte
     * boundary after the previous one) and returns the bytes they carry; fails on any other block.
     */
    private static int storedPayloadBytes(byte[] zlib) {
        assertEquals(0x78, zlib[0] & 0xff);
        assertEquals(0, ((zlib[0] & 0xff) << 8 | (zlib[1] & 0xff)) % 31, "zlib header check");
        int at = 2;
        int data = 0;
        while (at < zlib.length) {
            assertEquals(0, zlib[at] & 0x07, "block at " + at + " is not a non-final stored block");
            int len = (zlib[at + 1] & 0xff) | (zlib[at + 2] & 0xff) << 8;
            int nlen = (zlib[at + 3] & 0xff) | (zlib[at + 4] & 0xff) << 8;
            assertEquals(0xffff, len ^ nlen, "LEN/NLEN at " + at);
            data += len;
            at += 5 + len;
        }
        assertEquals(zlib.length, at);
        return data;
    }

    @Test
    void zstdLevelsAreHonoured() throws Exception {
        byte[] fast = channelStream(MultiFdCompression.ZSTD, 1, GuardedPages.Content.TEXT);
        byte[] def = channelStream(MultiFdCompression.ZSTD, 3, GuardedPages.Content.TEXT);
        byte[] zero = channelStream(MultiFdCompression.ZSTD, 0, GuardedPages.Content.TEXT);
        byte[] best = channelStream(MultiFdCompression.ZSTD, 19, GuardedPages.Content.TEXT);
        // Level 0 is zstd's default level, 3, as ZSTD_initCStream(0) is in QEMU.
        assertArrayEquals(def, zero);
        assertTrue(best.length < fast.length, "level 19 " + best.length + " vs level 1 " + fast.length);
        assertTrue(!java.util.Arrays.equals(fast, def), "levels 1 and 3 give the same bytes");
    }

    static Stream<Arguments> levels() {
        return Stream.of(Arguments.of(MultiFdCompression.ZLIB, 0), Arguments.of(MultiFdCompression.ZLIB, 1),
                Arguments.of(MultiFdCompression.ZLIB, 6), Arguments.of(MultiFdCompression.ZLIB, 9),
                Arguments.of(MultiFdCompression.ZSTD, 1), Arguments.of(MultiFdCompression.ZSTD, 3),
                Arguments.of(MultiFdCompression.ZSTD, 19));
    }

    /**
     * Incompressible pages are the worst case; every packet of a long channel gets exactly
     * outputBound bytes of room, so exceeding it fails the compression, and the slack is shown.
     */
    @ParameterizedTest(name = "{0} level {1}")
    @MethodSource("levels")
    void outputBoundHoldsOnIncompressibleData(MultiFdCompression method, int level) throws Exception {
        SplittableRandom random = new SplittableRandom(level);
        int[] counts = {1, 2, 3, 4, 5, 8, 16, 17, 31, 33, 64, 100, 127, 128};
        try (GuardedPages src = new GuardedPages(128, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, level, P, 0)) {
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(128) + 64);
            for (int round = 0; round < 6; round++) {
                for (int count : counts) {
                    for (int i = 0; i < count; i++) {
                        src.fill(i, GuardedPages.Content.RANDOM, random);
                    }
                    int bound = compressor.outputBound(count);
                    out.clear().limit(bound);
                    int produced = compressor.compress(src.views(), count, out);
                    assertTrue(produced <= bound, count + " pages: " + produced + " > " + bound);
                    assertTrue(produced >= count * P - (level == 0 ? 0 : count * P / 100),
                            "random data should not compress: " + produced);
                }
            }
        }
    }

    @Test
    void outputBoundFormulas() {
        try (PacketCompressor zlib = PacketCodecs.compressor(MultiFdCompression.ZLIB, 1, P, 0);
                PacketCompressor zstd = PacketCodecs.compressor(MultiFdCompression.ZSTD, 1, P, 0)) {
            // compressBound(4096) = 4110, plus 8 per page.
            assertEquals(4118, zlib.outputBound(1));
            // compressBound(512 KiB) = 524288 + 128 + 32 + 0 + 13, plus 8 * 128.
            assertEquals(525485, zlib.outputBound(128));
            // ZSTD_compressBound(4096) = 4096 + 16 + (131072 - 4096) / 2048 = 4174, + 3 * 2 + 18.
            assertEquals(4198, zstd.outputBound(1));
            // ZSTD_compressBound(512 KiB) = 524288 + 2048, + 3 * 129 + 18.
            assertEquals(526741, zstd.outputBound(128));
            assertThrows(IllegalArgumentException.class, () -> zlib.outputBound(0));
            assertThrows(IllegalArgumentException.class, () -> zstd.outputBound(0));
        }
    }
}
