package dev.tern.core.multifd.codec;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;

/**
 * {@code multifd-compression=zstd} on the sending side (QEMU's {@code zstd_send_prepare}): one zstd
 * stream at {@code multifd-zstd-level} for the channel's whole life, pages fed with
 * {@code ZSTD_e_continue} except the packet's last, which gets {@code ZSTD_e_flush}. Like QEMU it
 * reads guest memory in place, without a private copy; pages and output must be direct buffers.
 */
final class ZstdPacketCompressor implements PacketCompressor {
    /** {@code MULTIFD_FLAG_ZSTD}. */
    static final int FLAG = 0x4;
    /** zstd's block header; every flush can close a block early. */
    private static final int BLOCK_HEADER = 3;
    /** zstd's largest frame header, written once at the start of the stream. */
    private static final int FRAME_HEADER_MAX = 18;

    private final ZstdCompressCtx ctx;
    private final int pageSize;
    private final int channel;

    /**
     * A compressor for one channel.
     *
     * @param level {@code multifd-zstd-level}, 0 (zstd's default, 3) to 20
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     */
    ZstdPacketCompressor(int level, int pageSize, int channel) {
        if (level < 0 || level > 20) {
            throw new IllegalArgumentException("multifd-zstd-level " + level + " is not in 0..20");
        }
        PageViews.requirePageSize(pageSize);
        this.ctx = new ZstdCompressCtx();
        ctx.setLevel(level);
        this.pageSize = pageSize;
        this.channel = channel;
    }

    @Override
    public int flags() {
        return FLAG;
    }

    /**
     * {@code ZSTD_compressBound} of the packet's bytes, which already counts a frame header and a
     * block header per 128 KiB block, plus a block header per page and the frame header again: a
     * packet's flush closes a short block, and the bound must hold for any split of the stream.
     */
    @Override
    public int outputBound(int pages) {
        if (pages < 1) {
            throw new IllegalArgumentException("a packet carries at least one page, not " + pages);
        }
        long n = (long) pages * pageSize;
        return Math.toIntExact(Zstd.compressBound(n) + (long) BLOCK_HEADER * (pages + 1) + FRAME_HEADER_MAX);
    }

    @Override
    public int compress(ByteBuffer[] pages, int count, ByteBuffer out) throws StreamFormatException {
        PageViews.requireCount(pages, count);
        if (!out.isDirect()) {
            throw new IllegalArgumentException("zstd writes its output in place: the output buffer must be direct");
        }
        int start = out.position();
        try {
            for (int i = 0; i < count - 1; i++) {
                ByteBuffer page = pages[i];
                PageViews.requirePage(page, pageSize, true);
                while (page.hasRemaining()) {
                    int in = page.position();
                    int at = out.position();
                    ctx.compressDirectByteBufferStream(out, page, EndDirective.CONTINUE);
                    if (page.position() == in && out.position() == at) {
                        throw CodecErrors.compressStreamBufferTooSmall(channel);
                    }
                }
            }
            ByteBuffer last = pages[count - 1];
            PageViews.requirePage(last, pageSize, true);
            // The flush is done when zstd reports nothing left in its buffers.
            while (!ctx.compressDirectByteBufferStream(out, last, EndDirective.FLUSH)) {
                if (!out.hasRemaining()) {
                    throw CodecErrors.compressStreamBufferTooSmall(channel);
                }
            }
        } catch (ZstdException e) {
            throw CodecErrors.compressStreamError(channel, e.getMessage(), e);
        }
        return out.position() - start;
    }

    @Override
    public void close() {
        ctx.close();
    }
}
