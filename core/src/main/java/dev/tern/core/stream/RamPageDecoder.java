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

    /**
     * Called before the reader itself writes a page (a PAGE or ZERO record): a decoder that
     * writes pages asynchronously finishes any write to the same page first, so an older copy
     * can never land over the newer one.
     *
     * @param page the page about to be written, framed; not to be kept
     * @throws IOException if an earlier asynchronous decode failed
     */
    default void awaitPage(ByteBuffer page) throws IOException {
        // a synchronous decoder has nothing in flight
    }

    /**
     * Called at the section's EOS, before the section ends: every page decoded asynchronously is
     * in guest memory when this returns (QEMU's {@code wait_for_decompress_done}).
     *
     * @throws IOException if an asynchronous decode failed
     */
    default void endOfSection() throws IOException {
        // a synchronous decoder has nothing in flight
    }
}
