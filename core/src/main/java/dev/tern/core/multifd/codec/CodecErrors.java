package dev.tern.core.multifd.codec;

import dev.tern.core.stream.StreamFormatException;

/**
 * The failures of multifd payload compression, each with QEMU 7.2's text verbatim
 * ({@code migration/multifd-zlib.c}, {@code migration/multifd-zstd.c}); {@code %u} channel ids and
 * sizes print as C's unsigned, zlib's return codes as C's signed {@code %d}, zstd's errors by
 * {@code ZSTD_getErrorName}. A failed channel's stream is unusable afterwards: QEMU fails the
 * migration, and so must the caller.
 */
public final class CodecErrors {
    /** zlib's {@code Z_STREAM_END}: the sender ended its stream, which multifd never does. */
    static final int Z_STREAM_END = 1;
    /** zlib's {@code Z_NEED_DICT}: the stream asks for a preset dictionary. */
    static final int Z_NEED_DICT = 2;
    /** zlib's {@code Z_DATA_ERROR}: java.util.zip reports it as a DataFormatException. */
    static final int Z_DATA_ERROR = -3;
    /** zlib's {@code Z_BUF_ERROR}: no progress was possible (java.util.zip returns 0 for it). */
    static final int Z_BUF_ERROR = -5;

    private CodecErrors() {
    }

    /**
     * The zlib sender ran out of output space with input left (QEMU's {@code zlib_send_prepare}).
     *
     * @param channel the channel id
     * @return "multifd %u: deflate failed to compress all input"
     */
    public static StreamFormatException deflateIncomplete(int channel) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel)
                + ": deflate failed to compress all input");
    }

    /**
     * A deflate call failed.
     *
     * @param channel the channel id
     * @param ret zlib's return code
     * @return "multifd %u: deflate returned %d instead of Z_OK"
     */
    public static StreamFormatException deflateReturned(int channel, int ret) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel) + ": deflate returned " + ret
                + " instead of Z_OK");
    }

    /**
     * The zlib payload ended inside a page (QEMU's {@code zlib_recv_pages}).
     *
     * @param channel the channel id
     * @return "multifd %u: inflate generated too few output"
     */
    public static StreamFormatException inflateTooFewOutput(int channel) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel)
                + ": inflate generated too few output");
    }

    /**
     * An inflate call did not return {@code Z_OK}.
     *
     * @param channel the channel id
     * @param ret zlib's return code ({@link #Z_DATA_ERROR} for a DataFormatException)
     * @param cause java.util.zip's exception carrying zlib's own message, or null
     * @return "multifd %u: inflate returned %d instead of Z_OK", chained to the cause
     */
    public static StreamFormatException inflateReturned(int channel, int ret, Throwable cause) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel) + ": inflate returned " + ret
                + " instead of Z_OK", cause);
    }

    /**
     * The zstd sender ran out of output space with input left or data still to flush (QEMU's
     * {@code zstd_send_prepare}).
     *
     * @param channel the channel id
     * @return "multifd %u: compressStream buffer too small"
     */
    public static StreamFormatException compressStreamBufferTooSmall(int channel) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel)
                + ": compressStream buffer too small");
    }

    /**
     * {@code ZSTD_compressStream2} failed.
     *
     * @param channel the channel id
     * @param errorName {@code ZSTD_getErrorName} of the result
     * @param cause zstd-jni's exception
     * @return "multifd %u: compressStream error %s"
     */
    public static StreamFormatException compressStreamError(int channel, String errorName, Throwable cause) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel) + ": compressStream error "
                + errorName, cause);
    }

    /**
     * The zstd payload ended inside a page (QEMU's {@code zstd_recv_pages}).
     *
     * @param channel the channel id
     * @return "multifd %u: decompressStream buffer too small"
     */
    public static StreamFormatException decompressStreamBufferTooSmall(int channel) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel)
                + ": decompressStream buffer too small");
    }

    /**
     * {@code ZSTD_decompressStream} failed.
     *
     * @param channel the channel id
     * @param errorName {@code ZSTD_getErrorName} of the result
     * @param cause zstd-jni's exception
     * @return "multifd %u: decompressStream returned %s"
     */
    public static StreamFormatException decompressStreamReturned(int channel, String errorName, Throwable cause) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel)
                + ": decompressStream returned " + errorName, cause);
    }

    /**
     * The payload decoded to another size than the packet's pages.
     *
     * @param channel the channel id
     * @param received bytes the payload decoded to (printed as C's uint32_t)
     * @param expected {@code normal_pages} times the target page size (printed as C's uint32_t)
     * @return "multifd %u: packet size received %u size expected %u"
     */
    public static StreamFormatException packetSize(int channel, long received, long expected) {
        return new StreamFormatException("multifd " + Integer.toUnsignedString(channel) + ": packet size received "
                + Integer.toUnsignedString((int) received) + " size expected "
                + Integer.toUnsignedString((int) expected));
    }
}
