package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.tern.api.MultiFdCompression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The standard libraries as oracles: a channel's payloads, concatenated, are one plain zlib or
 * zstd stream that a stock decoder reads; and payloads a stock encoder makes with one flush per
 * packet (what QEMU's loop amounts to) decode here.
 */
class PacketInteropTest {
    private static final int P = 4096;

    @ParameterizedTest
    @EnumSource(value = MultiFdCompression.class, names = {"ZLIB", "ZSTD"})
    void theConcatenatedPayloadsAreOneStandardStream(MultiFdCompression method) throws Exception {
        SplittableRandom random = new SplittableRandom(77);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        try (GuardedPages src = new GuardedPages(128, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, 1, P, 0)) {
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(128));
            for (int packet = 0; packet < 300; packet++) {
                int count = 1 + random.nextInt(random.nextBoolean() ? 128 : 4);
                for (int i = 0; i < count; i++) {
                    src.fillMixed(i, random);
                    pages.write(src.copy(i));
                }
                out.clear();
                compressor.compress(src.views(), count, out);
                out.flip();
                byte[] payload = new byte[out.remaining()];
                out.get(payload);
                stream.write(payload);
            }
        }
        byte[] expected = pages.toByteArray();
        ByteArrayInputStream in = new ByteArrayInputStream(stream.toByteArray());
        try (InputStream decoder = method == MultiFdCompression.ZLIB ? new InflaterInputStream(in)
                : new ZstdInputStream(in)) {
            assertArrayEquals(expected, decoder.readNBytes(expected.length));
        }
    }

    @Test
    void zlibPacketsFromAStockDeflaterWithOneSyncFlushPerPacketDecode() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        Deflater deflater = new Deflater(6);
        byte[] out = new byte[1 << 20];
        try (GuardedPages src = new GuardedPages(128, P);
                GuardedPages dst = new GuardedPages(128, P);
                PacketDecompressor decompressor = PacketCodecs.decompressor(MultiFdCompression.ZLIB, P, 1)) {
            for (int packet = 0; packet < 200; packet++) {
                int count = 1 + random.nextInt(128);
                byte[] data = new byte[count * P];
                for (int i = 0; i < count; i++) {
                    src.fillMixed(i, random);
                    System.arraycopy(src.copy(i), 0, data, i * P, P);
                }
                deflater.setInput(data);
                int length = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
                decompressAndCompare(decompressor, ByteBuffer.wrap(out, 0, length), src, dst, count);
            }
            dst.checkGuards();
        } finally {
            deflater.end();
        }
    }

    @Test
    void zstdPacketsFromAStockStreamWithOneFlushPerPacketDecode() throws Exception {
        SplittableRandom random = new SplittableRandom(6);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ByteBuffer payload = ByteBuffer.allocateDirect(1 << 20);
        try (GuardedPages src = new GuardedPages(128, P);
                GuardedPages dst = new GuardedPages(128, P);
                ZstdOutputStream encoder = new ZstdOutputStream(sink, 5);
                PacketDecompressor decompressor = PacketCodecs.decompressor(MultiFdCompression.ZSTD, P, 1)) {
            for (int packet = 0; packet < 200; packet++) {
                int count = 1 + random.nextInt(128);
                for (int i = 0; i < count; i++) {
                    src.fillMixed(i, random);
                    encoder.write(src.copy(i));
                }
                encoder.flush();
                payload.clear();
                payload.put(sink.toByteArray()).flip();
                sink.reset();
                decompressAndCompare(decompressor, payload, src, dst, count);
            }
            dst.checkGuards();
        }
    }

    private static void decompressAndCompare(PacketDecompressor decompressor, ByteBuffer payload, GuardedPages src,
            GuardedPages dst, int count) throws Exception {
        decompressor.decompress(payload, dst.views(), count);
        assertFalse(payload.hasRemaining());
        for (int i = 0; i < count; i++) {
            assertEquals(-1L, src.page(i).mismatch(dst.page(i)));
        }
    }
}
