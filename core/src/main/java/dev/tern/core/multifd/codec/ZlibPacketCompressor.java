package dev.tern.core.multifd.codec;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * {@code multifd-compression=zlib} on the sending side (QEMU's {@code zlib_send_prepare}): one
 * zlib stream (RFC 1950, with its header) at {@code multifd-zlib-level} for the channel's whole
 * life, each page deflated with {@code Z_NO_FLUSH} except the packet's last, which gets
 * {@code Z_SYNC_FLUSH} so the receiver can decode the packet on its own.
 */
final class ZlibPacketCompressor implements PacketCompressor {
    /** {@code MULTIFD_FLAG_ZLIB}. */
    static final int FLAG = 0x2;

    private final Deflater deflater;
    private final ByteBuffer copy;
    private final int pageSize;
    private final int channel;

    /**
     * A compressor for one channel.
     *
     * @param level {@code multifd-zlib-level}, 0 (stored) to 9
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     */
    ZlibPacketCompressor(int level, int pageSize, int channel) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("multifd-zlib-level " + level + " is not in 0..9");
        }
        PageViews.requirePageSize(pageSize);
        this.deflater = new Deflater(level, false);
        // The guest keeps running: deflate must see one stable version of the page, as QEMU's copy ensures.
        this.copy = ByteBuffer.allocateDirect(pageSize);
        this.pageSize = pageSize;
        this.channel = channel;
    }

    @Override
    public int flags() {
        return FLAG;
    }

    @Override
    public int outputBound(int pages) {
        return ZlibBound.of(pages, pageSize);
    }

    @Override
    public int compress(ByteBuffer[] pages, int count, ByteBuffer out) throws StreamFormatException {
        PageViews.requireCount(pages, count);
        int start = out.position();
        for (int i = 0; i < count; i++) {
            ByteBuffer page = pages[i];
            PageViews.requirePage(page, pageSize, false);
            copy.clear();
            copy.put(page);
            copy.flip();
            deflater.setInput(copy);
            deflatePage(out, i == count - 1 ? Deflater.SYNC_FLUSH : Deflater.NO_FLUSH);
        }
        return out.position() - start;
    }

    /** Runs deflate until the page is consumed and, for the last page, the flush is complete. */
    private void deflatePage(ByteBuffer out, int flush) throws StreamFormatException {
        boolean first = true;
        while (true) {
            int room = out.remaining();
            if (room == 0) {
                // zlib refuses a call without output space (Z_BUF_ERROR); later, QEMU's loop stops with input left.
                throw first ? CodecErrors.deflateReturned(channel, CodecErrors.Z_BUF_ERROR)
                        : CodecErrors.deflateIncomplete(channel);
            }
            first = false;
            long readBefore = deflater.getBytesRead();
            int produced = deflater.deflate(out, flush);
            // A flush is complete only when deflate left output space unused (Deflater's documented contract).
            if (deflater.needsInput() && (flush == Deflater.NO_FLUSH || produced < room)) {
                return;
            }
            if (produced == 0 && deflater.getBytesRead() == readBefore) {
                throw CodecErrors.deflateReturned(channel, CodecErrors.Z_BUF_ERROR);
            }
        }
    }

    @Override
    public void close() {
        deflater.end();
    }
}
