package dev.tern.core.multifd.codec;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;

/**
 * The receiving half of one multifd channel's payload compression (spec 9.3, QEMU's
 * {@code MultiFDMethods.recv_pages}): one decompressor per channel for the whole migration,
 * decoding each packet's payload straight into guest pages. Used by the channel's thread only;
 * allocates nothing per packet.
 */
public interface PacketDecompressor extends AutoCloseable {
    /**
     * The compression flag bits a packet must carry (0x2 zlib, 0x4 zstd).
     *
     * @return the flags
     */
    int flags();

    /**
     * Decodes one packet's payload into its pages; each page must receive exactly one target
     * page of output, and the payload must be consumed entirely.
     *
     * @param payload the packet's {@code next_packet_size} bytes, from position to limit; consumed.
     *     Direct for zstd
     * @param pages views of the destination pages in packet order, each framing one target page;
     *     nothing outside them is written, their positions advance. Direct for zstd
     * @param count the packet's {@code normal_pages}, at least 1 (QEMU calls no codec for a packet
     *     without pages)
     * @throws StreamFormatException on malformed, short or long data, the channel's stream being
     *     unusable afterwards: "multifd %u: packet size received %u size expected %u", zlib's
     *     "multifd %u: inflate generated too few output" and
     *     "multifd %u: inflate returned %d instead of Z_OK" (zlib's own message in the cause),
     *     zstd's "multifd %u: decompressStream buffer too small" and
     *     "multifd %u: decompressStream returned %s"
     * @throws IllegalArgumentException if count is out of range or a view does not frame one page
     */
    void decompress(ByteBuffer payload, ByteBuffer[] pages, int count) throws StreamFormatException;

    /** Frees the native stream state. Idempotent. */
    @Override
    void close();
}
