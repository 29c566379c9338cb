package dev.tern.core.stream;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes the encoded page records a destination may receive: XBZRLE deltas and legacy
 * {@code compress} zlib pages. {@link RamRecordReader} parses and checks their headers and hands
 * the payload here.
 */
public interface RamPageDecoder {
    /**
     * Applies an XBZRLE delta to the page in place ({@code xbzrle_decode_buffer}).
     *
     * @param in the stream; exactly {@code encodedLength} bytes must be consumed
     * @param encodedLength the delta's length, at most a page
     * @param page the destination page, framed
     * @throws IOException if the delta is malformed or the stream fails
     */
    void loadXbzrle(StreamReader in, int encodedLength, ByteBuffer page) throws IOException;

    /**
     * Inflates a zlib stream into the page.
     *
     * @param in the stream; exactly {@code compressedLength} bytes must be consumed
     * @param compressedLength the zlib stream's length, at most {@code compressBound(page)}
     * @param page the destination page, framed
     * @throws IOException if the data is malformed or the stream fails
     */
    void loadCompressed(StreamReader in, int compressedLength, ByteBuffer page) throws IOException;
}
