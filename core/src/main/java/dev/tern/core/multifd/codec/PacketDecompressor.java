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
     * @param payload the packet's {@code next_packet_size} bytes, from position to limit; consumed
     * @param pages views of the destination pages in packet order, each framing one target page
     * @param count the packet's {@code normal_pages}
     * @throws StreamFormatException on malformed or short data: QEMU's
     *     "multifd %u: packet size received %u size expected %u" and the library's error
     */
    void decompress(ByteBuffer payload, ByteBuffer[] pages, int count) throws StreamFormatException;

    /** Frees the native stream state. Idempotent. */
    @Override
    void close();
}
