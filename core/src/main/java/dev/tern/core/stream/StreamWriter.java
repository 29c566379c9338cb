package dev.tern.core.stream;

import dev.tern.transport.MigrationChannel;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * QEMU's {@code QEMUFile} for writing: big-endian puts into a 32 KiB direct buffer, and guest
 * pages sent by gathering writes of the buffered header bytes and views of the pages, so a page
 * never passes through a {@code byte[]} and nothing is allocated per put or per page.
 *
 * <p>Pages queued with {@link #putPage(BlockWindows, long, int)} are batched like QEMU's iovec
 * array: up to {@link #MAX_QUEUED_PAGES} pages and the header bytes between them leave in one
 * gathering write, so a page costs a fraction of a system call. The page contents are read when
 * the batch is written, which is as good as when they were queued: a guest write in between also
 * marked the page dirty, so it is sent again.
 *
 * <p>Like QEMU, the first I/O error is latched: later puts and flushes do nothing, and the
 * engine polls {@link #failed()} (QEMU's {@code qemu_file_get_error}). One thread writes and
 * reads the byte counters; {@link #failed()}, {@link #error()}, {@link #fail} and
 * {@link #shutdown()} may be called from any thread.
 */
public final class StreamWriter implements Closeable {
    /** {@code IO_BUF_SIZE}: the write buffer's size. */
    public static final int BUFFER_SIZE = 32768;
    /** {@code MAX_IOV_SIZE}: pages batched into one gathering write. */
    public static final int MAX_QUEUED_PAGES = 64;

    private final MigrationChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    // One view of the buffer per header run between queued pages, made once.
    private final ByteBuffer[] headerRuns = new ByteBuffer[MAX_QUEUED_PAGES + 1];
    // Gather arrays of every length a batch can have, made once, so a flush allocates nothing.
    private final ByteBuffer[][] gatherOfLength = new ByteBuffer[2 * MAX_QUEUED_PAGES + 2][];
    private final ByteBuffer[] bufferAndPayload = new ByteBuffer[2];
    private final ByteBuffer[] queuedPages = new ByteBuffer[MAX_QUEUED_PAGES];
    private int pageCount;
    private int runStart;
    // Written by the writing thread only; other threads may see them late (stats tolerate it).
    private long queued;
    private long flushed;
    private volatile IOException error;

    /**
     * A writer on a channel.
     *
     * @param channel the migration channel; the writer closes it in {@link #close()}
     */
    public StreamWriter(MigrationChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
        for (int i = 0; i < headerRuns.length; i++) {
            headerRuns[i] = buffer.duplicate();
        }
        for (int n = 0; n < gatherOfLength.length; n++) {
            gatherOfLength[n] = new ByteBuffer[n];
        }
    }

    /**
     * Puts one byte ({@code qemu_put_byte}).
     *
     * @param v the byte in the low 8 bits
     */
    public void put8(int v) {
        if (room(1)) {
            buffer.put((byte) v);
            queued += 1;
        }
    }

    /**
     * Puts a big-endian 16-bit value ({@code qemu_put_be16}).
     *
     * @param v the value in the low 16 bits
     */
    public void put16(int v) {
        if (room(2)) {
            buffer.putShort((short) v);
            queued += 2;
        }
    }

    /**
     * Puts a big-endian 32-bit value ({@code qemu_put_be32}).
     *
     * @param v the value
     */
    public void put32(int v) {
        if (room(4)) {
            buffer.putInt(v);
            queued += 4;
        }
    }

    /**
     * Puts a big-endian 64-bit value ({@code qemu_put_be64}).
     *
     * @param v the value
     */
    public void put64(long v) {
        if (room(8)) {
            buffer.putLong(v);
            queued += 8;
        }
    }

    /**
     * Puts all bytes of an array ({@code qemu_put_buffer}).
     *
     * @param b the bytes
     */
    public void putBytes(byte[] b) {
        putBytes(b, 0, b.length);
    }

    /**
     * Puts part of an array.
     *
     * @param b the bytes
     * @param offset the first byte
     * @param length how many
     */
    public void putBytes(byte[] b, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, b.length);
        int done = 0;
        while (done < length && error == null) {
            if (!buffer.hasRemaining()) {
                writeBuffer();
                continue;
            }
            int n = Math.min(buffer.remaining(), length - done);
            buffer.put(b, offset + done, n);
            done += n;
            queued += n;
        }
    }

    /**
     * Puts the remaining bytes of a buffer and advances its position. Bytes that fit in the write
     * buffer are copied; a larger buffer goes out with the buffered bytes in one gathering write.
     *
     * @param b the bytes
     */
    public void putBytes(ByteBuffer b) {
        if (error != null) {
            return;
        }
        int n = b.remaining();
        if (n <= buffer.remaining()) {
            buffer.put(b);
            queued += n;
        } else {
            writeWithPayload(b);
        }
    }

    /**
     * Puts a counted string ({@code qemu_put_counted_string}): a length byte and the UTF-8 bytes,
     * no NUL.
     *
     * @param s the string, at most 255 bytes of UTF-8
     * @throws IllegalArgumentException if it is longer
     */
    public void putCountedString(String s) {
        putCountedString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Puts a counted string already encoded, so a hot path can encode a name once.
     *
     * @param utf8 the bytes, at most 255
     * @throws IllegalArgumentException if longer
     */
    public void putCountedString(byte[] utf8) {
        if (utf8.length > 255) {
            throw new IllegalArgumentException("counted string of " + utf8.length + " bytes exceeds 255");
        }
        put8(utf8.length);
        putBytes(utf8);
    }

    /**
     * Sends the bytes put so far together with a guest page in one gathering write, without
     * copying the page. The page view's position advances to its limit.
     *
     * @param pageView a direct view of the page (position and limit frame it)
     */
    public void putPage(ByteBuffer pageView) {
        if (error != null) {
            return;
        }
        writeWithPayload(pageView);
    }

    /**
     * Queues a guest page after the bytes put so far; it is written with the next batch (at
     * {@link #MAX_QUEUED_PAGES} pages, when the buffer fills, or at {@link #flush()}).
     *
     * @param windows the views over the page's RAM block
     * @param offset the page's offset in the block
     * @param size the page's size
     */
    public void putPage(BlockWindows windows, long offset, int size) {
        if (error != null) {
            return;
        }
        int k = pageCount;
        ByteBuffer run = headerRuns[k];
        run.limit(buffer.position()).position(runStart);
        queuedPages[k] = windows.view(offset, size, k);
        runStart = buffer.position();
        pageCount = k + 1;
        queued += size;
        if (pageCount == MAX_QUEUED_PAGES) {
            writeBuffer();
        }
    }

    /** Writes the buffered bytes to the channel ({@code qemu_fflush}). */
    public void flush() {
        if (error == null && (buffer.position() > 0 || pageCount > 0)) {
            writeBuffer();
        }
    }

    /**
     * Everything put so far, flushed or not: what QEMU's rate limiter counts.
     *
     * @return bytes queued
     */
    public long bytesQueued() {
        return queued;
    }

    /**
     * What reached the channel: what the bandwidth estimate counts.
     *
     * @return bytes flushed
     */
    public long bytesFlushed() {
        return flushed;
    }

    /**
     * Whether a write failed (QEMU's {@code qemu_file_get_error} != 0).
     *
     * @return true once an error is latched
     */
    public boolean failed() {
        return error != null;
    }

    /**
     * The first error.
     *
     * @return the latched error, if any
     */
    public Optional<IOException> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Latches an error found elsewhere ({@code qemu_file_set_error}), for example a return-path
     * failure: later puts do nothing. An error already latched is kept.
     *
     * @param e the error
     */
    public void fail(IOException e) {
        Objects.requireNonNull(e, "e");
        synchronized (this) {
            if (error == null) {
                error = e;
            }
        }
    }

    /** Unblocks a thread blocked on the channel ({@code qemu_file_shutdown}); later writes fail. */
    public void shutdown() {
        channel.shutdown();
    }

    /**
     * Flushes what is buffered (unless an error is latched) and closes the channel.
     *
     * @throws IOException if closing the channel fails
     */
    @Override
    public void close() throws IOException {
        flush();
        channel.close();
    }

    private boolean room(int n) {
        if (error != null) {
            return false;
        }
        if (buffer.remaining() < n) {
            writeBuffer();
        }
        return error == null;
    }

    /** Writes every queued page and buffered byte in one gathering write. */
    private void writeBuffer() {
        int pages = pageCount;
        ByteBuffer[] gather = gatherOfLength[2 * pages + 1];
        long n = buffer.position();
        for (int k = 0; k < pages; k++) {
            gather[2 * k] = headerRuns[k];
            gather[2 * k + 1] = queuedPages[k];
            n += queuedPages[k].remaining();
        }
        ByteBuffer tail = headerRuns[pages];
        tail.limit(buffer.position()).position(runStart);
        gather[2 * pages] = tail;
        try {
            channel.writeFully(gather);
            flushed += n;
        } catch (IOException e) {
            fail(e);
        } finally {
            java.util.Arrays.fill(gather, null);
            java.util.Arrays.fill(queuedPages, 0, pages, null);
            pageCount = 0;
            runStart = 0;
            buffer.clear();
        }
    }

    private void writeWithPayload(ByteBuffer payload) {
        if (pageCount > 0) {
            writeBuffer();
        }
        int head = buffer.position();
        int n = payload.remaining();
        queued += n;
        buffer.flip();
        bufferAndPayload[0] = buffer;
        bufferAndPayload[1] = payload;
        try {
            channel.writeFully(bufferAndPayload);
            flushed += head + n;
        } catch (IOException e) {
            fail(e);
        } finally {
            bufferAndPayload[1] = null;
            buffer.clear();
        }
    }
}
