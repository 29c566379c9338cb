package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.tern.api.MultiFdCompression;
import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Broken payloads fail with QEMU's text for the failure (channel 7 here) and never write outside
 * the destination page views, whose surrounding guard bytes are checked after each failure.
 */
class MalformedPayloadTest {
    private static final int P = 4096;
    private static final int CHANNEL = 7;

    /** The first packet of a fresh channel: {@code count} pages of random (incompressible) data. */
    private static byte[] firstPacket(MultiFdCompression method, int count) throws Exception {
        try (GuardedPages src = new GuardedPages(count, P);
                PacketCompressor compressor = PacketCodecs.compressor(method, 1, P, CHANNEL)) {
            SplittableRandom random = new SplittableRandom(count);
            for (int i = 0; i < count; i++) {
                src.fill(i, GuardedPages.Content.RANDOM, random);
            }
            ByteBuffer out = ByteBuffer.allocateDirect(compressor.outputBound(count));
            compressor.compress(src.views(), count, out);
            out.flip();
            byte[] payload = new byte[out.remaining()];
            out.get(payload);
            return payload;
        }
    }

    private static StreamFormatException rejected(MultiFdCompression method, byte[] payload, int count) {
        try (GuardedPages dst = new GuardedPages(count, P);
                PacketDecompressor decompressor = PacketCodecs.decompressor(method, P, CHANNEL)) {
            ByteBuffer in = ByteBuffer.allocateDirect(payload.length);
            in.put(payload).flip();
            StreamFormatException e = assertThrows(StreamFormatException.class,
                    () -> decompressor.decompress(in, dst.views(), count));
            dst.checkGuards();
            return e;
        }
    }

    private static void accepted(MultiFdCompression method, byte[] payload, int count) throws Exception {
        try (GuardedPages dst = new GuardedPages(count, P);
                PacketDecompressor decompressor = PacketCodecs.decompressor(method, P, CHANNEL)) {
            ByteBuffer in = ByteBuffer.allocateDirect(payload.length);
            in.put(payload).flip();
            decompressor.decompress(in, dst.views(), count);
            dst.checkGuards();
        }
    }

    private static byte[] concat(byte[] a, byte... b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    // ---- zlib ----

    @Test
    void zlibIntactPayloadIsTheAcceptedEdge() throws Exception {
        accepted(MultiFdCompression.ZLIB, firstPacket(MultiFdCompression.ZLIB, 4), 4);
    }

    @Test
    void zlibTruncatedInsideAPage() throws Exception {
        byte[] payload = firstPacket(MultiFdCompression.ZLIB, 4);
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, Arrays.copyOf(payload, 6000), 4);
        assertEquals("multifd 7: inflate generated too few output", e.getMessage());
    }

    @Test
    void zlibPayloadTooShortForThePageCount() throws Exception {
        // Three pages' worth for a packet that says four: the fourth page's first inflate call has
        // no input and nothing pending, zlib's Z_BUF_ERROR.
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, firstPacket(MultiFdCompression.ZLIB, 3), 4);
        assertEquals("multifd 7: inflate returned -5 instead of Z_OK", e.getMessage());
    }

    @Test
    void zlibFlippedHeaderByteIsADataError() throws Exception {
        byte[] payload = firstPacket(MultiFdCompression.ZLIB, 2);
        payload[0] ^= 0x01;
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, payload, 2);
        assertEquals("multifd 7: inflate returned -3 instead of Z_OK", e.getMessage());
        assertInstanceOf(DataFormatException.class, e.getCause());
        assertEquals("incorrect header check", e.getCause().getMessage());
    }

    @Test
    void zlibAPageMoreThanThePacketSaysIsAWrongSize() throws Exception {
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, firstPacket(MultiFdCompression.ZLIB, 5), 4);
        assertEquals("multifd 7: packet size received 20480 size expected 16384", e.getMessage());
    }

    @Test
    void zlibTrailingGarbageAfterTheFlushPoint() throws Exception {
        // 0x07 opens a final block of the reserved type 3.
        byte[] payload = concat(firstPacket(MultiFdCompression.ZLIB, 2), (byte) 0x07);
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, payload, 2);
        assertEquals("multifd 7: inflate returned -3 instead of Z_OK", e.getMessage());
        assertEquals("invalid block type", e.getCause().getMessage());
    }

    @Test
    void zlibTrailingEmptyStoredBlockDecodesToNothingAndIsAccepted() throws Exception {
        // A second sync-flush marker: valid stream content that adds no bytes.
        byte[] payload = concat(firstPacket(MultiFdCompression.ZLIB, 2), (byte) 0, (byte) 0, (byte) 0, (byte) 0xff,
                (byte) 0xff);
        accepted(MultiFdCompression.ZLIB, payload, 2);
    }

    @Test
    void zlibStreamThatEndsIsStreamEnd() throws Exception {
        byte[] page = new byte[P];
        new SplittableRandom(1).nextBytes(page);
        Deflater deflater = new Deflater(1);
        deflater.setInput(page);
        deflater.finish();
        byte[] out = new byte[2 * P];
        int length = deflater.deflate(out);
        deflater.end();
        StreamFormatException e = rejected(MultiFdCompression.ZLIB, Arrays.copyOf(out, length), 1);
        assertEquals("multifd 7: inflate returned 1 instead of Z_OK", e.getMessage());
    }

    @Test
    void zlibSenderWithoutOutputSpace() throws Exception {
        try (GuardedPages src = new GuardedPages(2, P);
                PacketCompressor compressor = PacketCodecs.compressor(MultiFdCompression.ZLIB, 1, P, CHANNEL)) {
            src.fill(0, GuardedPages.Content.RANDOM, new SplittableRandom(3));
            src.fill(1, GuardedPages.Content.RANDOM, new SplittableRandom(4));
            StreamFormatException none = assertThrows(StreamFormatException.class,
                    () -> compressor.compress(src.views(), 2, ByteBuffer.allocateDirect(0)));
            assertEquals("multifd 7: deflate returned -5 instead of Z_OK", none.getMessage());
        }
        try (GuardedPages src = new GuardedPages(2, P);
                PacketCompressor compressor = PacketCodecs.compressor(MultiFdCompression.ZLIB, 1, P, CHANNEL)) {
            src.fill(0, GuardedPages.Content.RANDOM, new SplittableRandom(3));
            src.fill(1, GuardedPages.Content.RANDOM, new SplittableRandom(4));
            StreamFormatException small = assertThrows(StreamFormatException.class,
                    () -> compressor.compress(src.views(), 2, ByteBuffer.allocateDirect(100)));
            assertEquals("multifd 7: deflate failed to compress all input", small.getMessage());
        }
    }

    // ---- zstd ----

    @Test
    void zstdIntactPayloadIsTheAcceptedEdge() throws Exception {
        accepted(MultiFdCompression.ZSTD, firstPacket(MultiFdCompression.ZSTD, 4), 4);
    }

    @Test
    void zstdTruncatedInsideAPage() throws Exception {
        byte[] payload = firstPacket(MultiFdCompression.ZSTD, 4);
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, Arrays.copyOf(payload, 6000), 4);
        assertEquals("multifd 7: decompressStream buffer too small", e.getMessage());
    }

    @Test
    void zstdPayloadTooShortForThePageCount() throws Exception {
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, firstPacket(MultiFdCompression.ZSTD, 3), 4);
        assertEquals("multifd 7: decompressStream buffer too small", e.getMessage());
    }

    @Test
    void zstdFlippedMagicIsUnknownFrame() throws Exception {
        byte[] payload = firstPacket(MultiFdCompression.ZSTD, 2);
        payload[0] ^= 0x01;
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, payload, 2);
        assertEquals("multifd 7: decompressStream returned Unknown frame descriptor", e.getMessage());
    }

    @Test
    void zstdAPageMoreThanThePacketSaysIsAWrongSize() throws Exception {
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, firstPacket(MultiFdCompression.ZSTD, 5), 4);
        assertEquals("multifd 7: packet size received 20480 size expected 16384", e.getMessage());
    }

    @Test
    void zstdTrailingGarbageAfterTheFlushPoint() throws Exception {
        // A block header of the reserved type 3: zstd reports corruption_detected.
        byte[] payload = concat(firstPacket(MultiFdCompression.ZSTD, 2), (byte) 0x06, (byte) 0, (byte) 0);
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, payload, 2);
        assertEquals("multifd 7: decompressStream returned Data corruption detected", e.getMessage());
    }

    @Test
    void zstdFrameEndingInsideThePageIsAWrongSize() throws Exception {
        // A complete frame of half a page: decompressStream returns 0 with the page half full.
        byte[] half = new byte[P / 2];
        new SplittableRandom(9).nextBytes(half);
        byte[] frame;
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            frame = ctx.compress(half);
        }
        StreamFormatException e = rejected(MultiFdCompression.ZSTD, frame, 1);
        assertEquals("multifd 7: packet size received 2048 size expected 4096", e.getMessage());
    }

    @Test
    void zstdSenderWithTooLittleOutputSpace() throws Exception {
        try (GuardedPages src = new GuardedPages(2, P);
                PacketCompressor compressor = PacketCodecs.compressor(MultiFdCompression.ZSTD, 1, P, CHANNEL)) {
            src.fill(0, GuardedPages.Content.RANDOM, new SplittableRandom(3));
            src.fill(1, GuardedPages.Content.RANDOM, new SplittableRandom(4));
            StreamFormatException small = assertThrows(StreamFormatException.class,
                    () -> compressor.compress(src.views(), 2, ByteBuffer.allocateDirect(100)));
            assertEquals("multifd 7: compressStream buffer too small", small.getMessage());
        }
    }

    @Test
    void zstdStreamEndDirectiveIsNotUsedButAStockEndedFrameStillDecodes() throws Exception {
        // A whole frame of exactly one page, as a sender ending its stream would produce: the
        // page is complete, so the packet is accepted (zstd starts a new frame on the next one).
        byte[] page = new byte[P];
        new SplittableRandom(10).nextBytes(page);
        ByteBuffer src = ByteBuffer.allocateDirect(P);
        src.put(page).flip();
        ByteBuffer out = ByteBuffer.allocateDirect(2 * P);
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            while (!ctx.compressDirectByteBufferStream(out, src, EndDirective.END)) {
                // keep flushing
            }
        }
        out.flip();
        byte[] frame = new byte[out.remaining()];
        out.get(frame);
        accepted(MultiFdCompression.ZSTD, frame, 1);
    }

    // ---- arguments ----

    @Test
    void pageViewsMustFrameExactlyOnePage() {
        try (PacketDecompressor decompressor = PacketCodecs.decompressor(MultiFdCompression.ZLIB, P, CHANNEL)) {
            ByteBuffer[] views = {ByteBuffer.allocateDirect(P + 1)};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> decompressor.decompress(ByteBuffer.allocate(1), views, 1));
            assertEquals("a page view frames 4097 bytes, not 4096", e.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> decompressor.decompress(ByteBuffer.allocate(1), views, 2));
            assertEquals("a packet carries 1..1 pages, not 2", count.getMessage());
        }
    }
}
