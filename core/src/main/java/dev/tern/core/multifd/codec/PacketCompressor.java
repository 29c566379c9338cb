package dev.tern.core.multifd.codec;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;

/**
 * The sending half of one multifd channel's payload compression (spec 9.3, QEMU's
 * {@code MultiFDMethods.send_prepare}): one compressor per channel, kept for the whole migration,
 * so the packets of a channel form one continuous compressed stream, each packet ending at a
 * flush point the receiver can decode up to. Used by the channel's thread only; allocates nothing
 * per packet.
 */
public interface PacketCompressor extends AutoCloseable {
    /**
     * The packet header's compression flag bits ({@code MULTIFD_FLAG_ZLIB} 0x2 or
     * {@code MULTIFD_FLAG_ZSTD} 0x4).
     *
     * @return the flags
     */
    int flags();

    /**
     * The most bytes {@link #compress} can produce for a packet (QEMU sizes its buffer with
     * {@code compressBound} / {@code ZSTD_compressBound} of a whole packet).
     *
     * @param pages pages in the packet
     * @return bytes
     */
    int outputBound(int pages);

    /**
     * Compresses one packet's pages as the next piece of this channel's stream, ending at a flush
     * point ({@code Z_SYNC_FLUSH} / {@code ZSTD_e_flush} after the last page).
     *
     * @param pages views of the pages, each framing exactly one target page; positions advance.
     *     zstd reads them in place and needs direct buffers; zlib copies each page first
     * @param count how many of {@code pages} the packet carries, at least 1
     * @param out where the compressed bytes go, from its position, with at least
     *     {@link #outputBound(int) outputBound(count)} bytes remaining (with less the call may fail
     *     as QEMU's would); its position advances. Direct for zstd
     * @return bytes produced
     * @throws StreamFormatException if the library fails or {@code out} fills up: zlib's
     *     "multifd %u: deflate failed to compress all input" and
     *     "multifd %u: deflate returned %d instead of Z_OK", zstd's
     *     "multifd %u: compressStream buffer too small" and "multifd %u: compressStream error %s";
     *     the channel's stream is unusable afterwards
     * @throws IllegalArgumentException if count is out of range or a view does not frame one page
     */
    int compress(ByteBuffer[] pages, int count, ByteBuffer out) throws StreamFormatException;

    /** Frees the native stream state. Idempotent. */
    @Override
    void close();
}
