package dev.tern.core.multifd.codec;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * {@code multifd-compression=zlib} on the receiving side (QEMU's {@code zlib_recv_pages}): one
 * inflate stream for the channel's whole life, inflating each packet page by page straight into
 * the destination pages, with QEMU's loop and checks. java.util.zip hides zlib's return codes;
 * they are recovered from the Inflater's state: a DataFormatException is {@code Z_DATA_ERROR},
 * {@link Inflater#finished()} {@code Z_STREAM_END}, {@link Inflater#needsDictionary()}
 * {@code Z_NEED_DICT}, and a call that neither read nor wrote a byte {@code Z_BUF_ERROR}.
 *
 * <p>Past QEMU, the payload must decode to exactly the packet's pages: what follows the last page
 * is inflated into a private page, and any output there is a size error (QEMU would silently drop
 * the rest of the payload and lose its place in the stream).
 */
final class ZlibPacketDecompressor implements PacketDecompressor {
    private final Inflater inflater = new Inflater(false);
    private final ByteBuffer surplus;
    private final int pageSize;
    private final int channel;

    /**
     * A decompressor for one channel.
     *
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     */
    ZlibPacketDecompressor(int pageSize, int channel) {
        PageViews.requirePageSize(pageSize);
        this.surplus = ByteBuffer.allocateDirect(pageSize);
        this.pageSize = pageSize;
        this.channel = channel;
    }

    @Override
    public int flags() {
        return ZlibPacketCompressor.FLAG;
    }

    @Override
    public void decompress(ByteBuffer payload, ByteBuffer[] pages, int count) throws StreamFormatException {
        PageViews.requireCount(pages, count);
        for (int i = 0; i < count; i++) {
            PageViews.requirePage(pages[i], pageSize, false);
        }
        inflater.setInput(payload);
        for (int i = 0; i < count; i++) {
            ByteBuffer page = pages[i];
            int ret;
            do {
                ret = inflateInto(page);
            } while (ret == 0 && payload.hasRemaining() && page.hasRemaining());
            if (ret == 0 && page.hasRemaining()) {
                throw CodecErrors.inflateTooFewOutput(channel);
            }
            if (ret != 0) {
                throw CodecErrors.inflateReturned(channel, ret, null);
            }
        }
        long expected = (long) count * pageSize;
        long extra = drainSurplus(payload);
        if (extra != 0) {
            throw CodecErrors.packetSize(channel, expected + extra, expected);
        }
    }

    /**
     * Inflates what follows the last page into the private page, up to one page of output.
     *
     * @return bytes it decoded to
     */
    private long drainSurplus(ByteBuffer payload) throws StreamFormatException {
        surplus.clear();
        while (surplus.hasRemaining()) {
            int ret = inflateInto(surplus);
            if (ret == CodecErrors.Z_BUF_ERROR && !payload.hasRemaining()) {
                break; // consumed, nothing pending: the normal end of a packet
            }
            if (ret != 0) {
                throw CodecErrors.inflateReturned(channel, ret, null);
            }
        }
        return surplus.position();
    }

    /** One inflate call, reduced to zlib's return code. */
    private int inflateInto(ByteBuffer out) throws StreamFormatException {
        long readBefore = inflater.getBytesRead();
        int written;
        try {
            written = inflater.inflate(out);
        } catch (DataFormatException e) {
            throw CodecErrors.inflateReturned(channel, CodecErrors.Z_DATA_ERROR, e);
        }
        if (inflater.finished()) {
            return CodecErrors.Z_STREAM_END;
        }
        if (inflater.needsDictionary()) {
            return CodecErrors.Z_NEED_DICT;
        }
        if (written == 0 && inflater.getBytesRead() == readBefore) {
            return CodecErrors.Z_BUF_ERROR;
        }
        return 0;
    }

    @Override
    public void close() {
        inflater.end();
    }
}
