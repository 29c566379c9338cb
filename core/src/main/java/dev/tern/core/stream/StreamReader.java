package dev.tern.core.stream;

import dev.tern.transport.MigrationChannel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * QEMU's {@code QEMUFile} for reading: big-endian gets from a 32 KiB direct buffer that reads
 * ahead, and {@link #readFully(ByteBuffer)} that moves page payloads into guest memory without a
 * {@code byte[]}: buffered bytes first, the rest straight from the channel.
 *
 * <p>A stream that ends early raises {@link EOFException}; the format checks of the callers raise
 * {@link StreamFormatException}. One thread reads.
 */
public final class StreamReader {
    /** {@code IO_BUF_SIZE}: the read buffer's size, and the furthest {@link #tryPeek8} can look. */
    public static final int BUFFER_SIZE = 32768;
    /** Reads at least this large bypass the buffer. */
    private static final int DIRECT_READ_MIN = BUFFER_SIZE / 2;

    private final MigrationChannel channel;
    // Read mode between calls: position = next unread byte, limit = end of buffered data.
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE).flip();
    private final byte[] scratch = new byte[256];
    private long consumed;
    private boolean ended;

    /**
     * A reader on a channel.
     *
     * @param channel the migration channel
     */
    public StreamReader(MigrationChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /**
     * Reads one byte ({@code qemu_get_byte}).
     *
     * @return 0..255
     * @throws IOException on end of stream or channel failure
     */
    public int get8() throws IOException {
        need(1);
        consumed += 1;
        return buffer.get() & 0xFF;
    }

    /**
     * Reads a big-endian 16-bit value ({@code qemu_get_be16}).
     *
     * @return 0..65535
     * @throws IOException on end of stream or channel failure
     */
    public int get16() throws IOException {
        need(2);
        consumed += 2;
        return buffer.getShort() & 0xFFFF;
    }

    /**
     * Reads a big-endian 32-bit value ({@code qemu_get_be32}).
     *
     * @return the value, unsigned
     * @throws IOException on end of stream or channel failure
     */
    public long get32() throws IOException {
        need(4);
        consumed += 4;
        return buffer.getInt() & 0xFFFF_FFFFL;
    }

    /**
     * Reads a big-endian 64-bit value ({@code qemu_get_be64}).
     *
     * @return the value
     * @throws IOException on end of stream or channel failure
     */
    public long get64() throws IOException {
        need(8);
        consumed += 8;
        return buffer.getLong();
    }

    /**
     * Fills an array.
     *
     * @param dst the destination
     * @throws IOException on end of stream or channel failure
     */
    public void getBytes(byte[] dst) throws IOException {
        getBytes(dst, 0, dst.length);
    }

    /**
     * Fills part of an array.
     *
     * @param dst the destination
     * @param offset the first byte
     * @param length how many
     * @throws IOException on end of stream or channel failure
     */
    public void getBytes(byte[] dst, int offset, int length) throws IOException {
        if (getBuffer(dst, offset, length) != length) {
            throw endOfStream();
        }
    }

    /**
     * Reads up to {@code length} bytes, fewer only at the end of the stream
     * ({@code qemu_get_buffer}, for callers that report short reads themselves).
     *
     * @param dst the destination
     * @param offset the first byte
     * @param length how many
     * @return the bytes read
     * @throws IOException on channel failure
     */
    public int getBuffer(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        int done = 0;
        while (done < length) {
            if (!buffer.hasRemaining() && !fill(1)) {
                break;
            }
            int n = Math.min(buffer.remaining(), length - done);
            buffer.get(dst, offset + done, n);
            done += n;
        }
        consumed += done;
        return done;
    }

    /**
     * Reads a counted string ({@code qemu_get_counted_string}): a length byte and that many bytes.
     * As in C, the string ends at the first NUL.
     *
     * @return the string, decoded as UTF-8
     * @throws IOException on end of stream or channel failure
     */
    public String getCountedString() throws IOException {
        int n = get8();
        getBytes(scratch, 0, n);
        return cString(scratch, n);
    }

    /**
     * Reads exactly {@code dst.remaining()} bytes into {@code dst}, for example a view of guest
     * RAM: buffered bytes first, then straight from the channel. The position advances to the limit.
     *
     * @param dst the destination
     * @throws IOException on end of stream or channel failure
     */
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (!buffer.hasRemaining()) {
                if (dst.remaining() >= DIRECT_READ_MIN) {
                    // Large enough to be worth its own system call: straight into dst.
                    int before = dst.remaining();
                    if (ended || channel.read(dst) < 0) {
                        ended = true;
                        throw endOfStream();
                    }
                    consumed += before - dst.remaining();
                    continue;
                }
                // A page is small: one read fills the buffer with several pages and their headers.
                if (!fill(1)) {
                    throw endOfStream();
                }
            }
            int n = Math.min(buffer.remaining(), dst.remaining());
            int limit = buffer.limit();
            buffer.limit(buffer.position() + n);
            dst.put(buffer);
            buffer.limit(limit);
            consumed += n;
        }
    }

    /**
     * Skips bytes.
     *
     * @param n how many
     * @throws IOException on end of stream or channel failure
     */
    public void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (!buffer.hasRemaining() && !fill(1)) {
                throw endOfStream();
            }
            int step = (int) Math.min(buffer.remaining(), left);
            buffer.position(buffer.position() + step);
            left -= step;
            consumed += step;
        }
    }

    /**
     * The next byte without consuming it ({@code qemu_peek_byte(f, 0)}).
     *
     * @return 0..255
     * @throws IOException on end of stream or channel failure
     */
    public int peek8() throws IOException {
        need(1);
        return buffer.get(buffer.position()) & 0xFF;
    }

    /**
     * A byte ahead without consuming anything.
     *
     * @param offset how far ahead, below {@link #BUFFER_SIZE}
     * @return 0..255, or -1 if the stream ends before it
     * @throws IOException on channel failure
     */
    public int tryPeek8(int offset) throws IOException {
        Objects.checkIndex(offset, BUFFER_SIZE);
        if (!fill(offset + 1)) {
            return -1;
        }
        return buffer.get(buffer.position() + offset) & 0xFF;
    }

    /**
     * Bytes ahead without consuming anything ({@code qemu_peek_buffer}).
     *
     * @param offset how far ahead the first byte is
     * @param dst where to copy them
     * @param length how many
     * @return true if the stream holds them, false if it ends before
     * @throws IOException on channel failure
     */
    public boolean tryPeekBytes(int offset, byte[] dst, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, BUFFER_SIZE);
        if (!fill(offset + length)) {
            return false;
        }
        buffer.get(buffer.position() + offset, dst, 0, length);
        return true;
    }

    /**
     * Bytes consumed so far.
     *
     * @return the count
     */
    public long bytesConsumed() {
        return consumed;
    }

    /**
     * The channel's description, for messages.
     *
     * @return for example "tcp:127.0.0.1:4444"
     */
    public String description() {
        return channel.description();
    }

    /**
     * The string a C caller sees in a NUL-terminated copy of {@code bytes[0..length)}.
     *
     * @param bytes the raw bytes
     * @param length how many are valid
     * @return the text up to the first NUL, decoded as UTF-8
     */
    static String cString(byte[] bytes, int length) {
        int end = 0;
        while (end < length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private void need(int n) throws IOException {
        if (buffer.remaining() < n && !fill(n)) {
            throw endOfStream();
        }
    }

    /** Makes at least {@code n} bytes available unless the stream ends first. */
    private boolean fill(int n) throws IOException {
        if (buffer.remaining() >= n) {
            return true;
        }
        buffer.compact();
        try {
            while (buffer.position() < n) {
                if (ended) {
                    return false;
                }
                if (channel.read(buffer) < 0) {
                    ended = true;
                }
            }
            return true;
        } finally {
            buffer.flip();
        }
    }

    private EOFException endOfStream() {
        return new EOFException("Unexpected end of migration stream from " + channel.description());
    }
}
