package dev.tern.core.multifd.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;

/**
 * {@code multifd-compression=zstd} on the receiving side (QEMU's {@code zstd_recv_pages}): one
 * zstd decompression stream for the channel's whole life, decoding each packet page by page
 * straight into the destination pages with QEMU's loop and checks. zstd-jni's stream call answers
 * true exactly when {@code ZSTD_decompressStream} returned 0 (a frame fully decoded), which is
 * all QEMU's loop looks at besides errors. Payload and pages must be direct buffers.
 *
 * <p>Past QEMU, the payload must decode to exactly the packet's pages: after the last page the
 * stream is drained into a private page (zstd may hold decoded bytes the last page had no room
 * for), and any output there is a size error.
 */
final class ZstdPacketDecompressor implements PacketDecompressor {
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final ByteBuffer surplus;
    private final int pageSize;
    private final int channel;

    /**
     * A decompressor for one channel.
     *
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     */
    ZstdPacketDecompressor(int pageSize, int channel) {
        PageViews.requirePageSize(pageSize);
        this.surplus = ByteBuffer.allocateDirect(pageSize);
        this.pageSize = pageSize;
        this.channel = channel;
    }

    @Override
    public int flags() {
        return ZstdPacketCompressor.FLAG;
    }

    @Override
    public void decompress(ByteBuffer payload, ByteBuffer[] pages, int count) throws StreamFormatException {
        PageViews.requireCount(pages, count);
        if (!payload.isDirect()) {
            throw new IllegalArgumentException("zstd reads its input in place: the payload must be direct");
        }
        for (int i = 0; i < count; i++) {
            PageViews.requirePage(pages[i], pageSize, true);
        }
        long received = 0;
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer page = pages[i];
                int start = page.position();
                boolean frameDone;
                do {
                    frameDone = ctx.decompressDirectByteBufferStream(page, payload);
                } while (!frameDone && payload.hasRemaining() && page.hasRemaining());
                if (!frameDone && page.hasRemaining()) {
                    throw CodecErrors.decompressStreamBufferTooSmall(channel);
                }
                received += page.position() - start;
            }
            received += drainSurplus(payload);
        } catch (ZstdException e) {
            throw CodecErrors.decompressStreamReturned(channel, e.getMessage(), e);
        }
        long expected = (long) count * pageSize;
        if (received != expected) {
            throw CodecErrors.packetSize(channel, received, expected);
        }
    }

    /**
     * Decodes what follows the last page into the private page, up to one page of output.
     *
     * @return bytes it decoded to
     */
    private long drainSurplus(ByteBuffer payload) throws StreamFormatException {
        surplus.clear();
        while (surplus.hasRemaining()) {
            int in = payload.position();
            int out = surplus.position();
            ctx.decompressDirectByteBufferStream(surplus, payload);
            if (payload.position() == in && surplus.position() == out) {
                if (payload.hasRemaining()) {
                    throw CodecErrors.decompressStreamBufferTooSmall(channel);
                }
                break;
            }
        }
        return surplus.position();
    }

    @Override
    public void close() {
        ctx.close();
    }
}
