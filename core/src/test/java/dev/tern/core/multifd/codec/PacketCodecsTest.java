package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import dev.tern.core.stream.AllocationMeter;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The factory's choices and limits, and that a channel allocates nothing per packet. */
class PacketCodecsTest {
    private static final int P = 4096;

    @Test
    void eachMethodGetsItsCodecAndHeaderFlag() {
        try (PacketCompressor zlib = PacketCodecs.compressor(MultiFdCompression.ZLIB, 1, P, 0);
                PacketCompressor zstd = PacketCodecs.compressor(MultiFdCompression.ZSTD, 1, P, 0);
                PacketDecompressor unzlib = PacketCodecs.decompressor(MultiFdCompression.ZLIB, P, 0);
                PacketDecompressor unzstd = PacketCodecs.decompressor(MultiFdCompression.ZSTD, P, 0)) {
            assertEquals(0x2, zlib.flags());
            assertEquals(0x4, zstd.flags());
            assertEquals(0x2, unzlib.flags());
            assertEquals(0x4, unzstd.flags());
            assertTrue(zlib instanceof ZlibPacketCompressor);
            assertTrue(zstd instanceof ZstdPacketCompressor);
        }
    }

    @Test
    void noneHasNoCodec() {
        assertEquals("multifd-compression none has no compressor", assertThrows(IllegalArgumentException.class,
                () -> PacketCodecs.compressor(MultiFdCompression.NONE, 1, P, 0)).getMessage());
        assertEquals("multifd-compression none has no decompressor", assertThrows(IllegalArgumentException.class,
                () -> PacketCodecs.decompressor(MultiFdCompression.NONE, P, 0)).getMessage());
    }

    @Test
    void levelsOutsideTheParameterRangesAreRejected() {
        PacketCodecs.compressor(MultiFdCompression.ZLIB, 9, P, 0).close();
        PacketCodecs.compressor(MultiFdCompression.ZSTD, 20, P, 0).close();
        assertEquals("multifd-zlib-level 10 is not in 0..9", assertThrows(IllegalArgumentException.class,
                () -> PacketCodecs.compressor(MultiFdCompression.ZLIB, 10, P, 0)).getMessage());
        assertEquals("multifd-zstd-level 21 is not in 0..20", assertThrows(IllegalArgumentException.class,
                () -> PacketCodecs.compressor(MultiFdCompression.ZSTD, 21, P, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PacketCodecs.compressor(MultiFdCompression.ZLIB, -1, P, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketCodecs.decompressor(MultiFdCompression.ZSTD, 3000, 0));
    }

    @Test
    void closeIsIdempotent() {
        PacketCompressor zlib = PacketCodecs.compressor(MultiFdCompression.ZLIB, 1, P, 0);
        PacketCompressor zstd = PacketCodecs.compressor(MultiFdCompression.ZSTD, 1, P, 0);
        PacketDecompressor unzlib = PacketCodecs.decompressor(MultiFdCompression.ZLIB, P, 0);
        PacketDecompressor unzstd = PacketCodecs.decompressor(MultiFdCompression.ZSTD, P, 0);
        for (int i = 0; i < 2; i++) {
            zlib.close();
            zstd.close();
            unzlib.close();
            unzstd.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MultiFdCompression.class, names = {"ZLIB", "ZSTD"})
    void aChannelAllocatesNothingPerPacket(MultiFdCompression method) throws Exception {
        SplittableRandom random = new SplittableRandom(8);
        try (GuardedPages src = new GuardedPages(128, P);
                GuardedPages dst = new GuardedPages(128, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, 1, P, 0);
                PacketDecompressor decompressor = PacketCodecs.decompressor(method, P, 0)) {
            for (int i = 0; i < 128; i++) {
                src.fillMixed(i, random);
            }
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(128));
            int[] counts = {1, 7, 128, 3, 64};
            Runnable round = () -> {
                try {
                    for (int packet = 0; packet < 200; packet++) {
                        int count = counts[packet % counts.length];
                        out.clear();
                        compressor.compress(src.views(), count, out);
                        out.flip();
                        decompressor.decompress(out, dst.views(), count);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            for (int warm = 0; warm < 5; warm++) {
                round.run();
            }
            long allocated = AllocationMeter.measure(round);
            if (method == MultiFdCompression.ZLIB) {
                // AllocationMeter boxes its reading; one byte per packet would already be 200.
                assertTrue(allocated < 100, "allocated " + allocated + " bytes for 200 packets");
            } else {
                // zstd-jni's stream calls themselves move the thread's allocation counter under G1
                // until C2 has compiled them (about 140-330 bytes a call in a test JVM; none under
                // ParallelGC, none in the JMH run, no objects in a heap histogram). Tern's own share
                // must stay nil: a page copy or an output buffer per packet would add 4 KiB or more
                // per call, beyond the 1 KiB allowed here.
                long calls = 0;
                for (int packet = 0; packet < 200; packet++) {
                    calls += counts[packet % counts.length] + 3;
                }
                assertTrue(allocated < 1024 * calls, "allocated " + allocated + " bytes for " + calls + " zstd calls");
            }
        }
    }
}
