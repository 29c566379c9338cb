package dev.tern.core.stream;

import dev.tern.transport.MigrationChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link MigrationChannel} for tests: it records what is written (and the buffer
 * objects each gathering write received), serves reads from a byte array in chunks of a chosen
 * size, and can fail writes after a number of bytes.
 */
public final class MemoryChannel implements MigrationChannel {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final byte[] input;
    private final int chunk;
    private int readPosition;
    private long failAfter = Long.MAX_VALUE;
    private boolean shut;
    private boolean closed;
    /** Every writeFully call's buffers, in order (only when recording). */
    public final List<ByteBuffer[]> writeCalls = new ArrayList<>();
    private boolean record = true;

    private MemoryChannel(byte[] input, int chunk) {
        this.input = input;
        this.chunk = chunk;
    }

    /** @return a channel collecting writes */
    public static MemoryChannel sink() {
        return new MemoryChannel(new byte[0], 1);
    }

    /**
     * @param data what reads return
     * @return a channel returning all available bytes per read
     */
    public static MemoryChannel source(byte[] data) {
        return new MemoryChannel(data, Integer.MAX_VALUE);
    }

    /**
     * @param data what reads return
     * @param chunk the most bytes one read returns
     * @return the channel
     */
    public static MemoryChannel source(byte[] data, int chunk) {
        return new MemoryChannel(data, chunk);
    }

    /**
     * Makes writes fail once this many bytes were written.
     *
     * @param bytes the limit
     * @return this
     */
    public MemoryChannel failAfter(long bytes) {
        this.failAfter = bytes;
        return this;
    }

    /**
     * Stops recording write calls (for allocation tests).
     *
     * @return this
     */
    public MemoryChannel noRecording() {
        record = false;
        return this;
    }

    /** @return all bytes written */
    public byte[] written() {
        return written.toByteArray();
    }

    /** @return whether close() was called */
    public boolean closed() {
        return closed;
    }

    /** @return whether shutdown() was called */
    public boolean shut() {
        return shut;
    }

    @Override
    public boolean readable() {
        return true;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public void writeFully(ByteBuffer... buffers) throws IOException {
        if (shut) {
            throw new IOException("channel shut down");
        }
        if (record) {
            writeCalls.add(buffers.clone());
        }
        for (ByteBuffer b : buffers) {
            while (b.hasRemaining()) {
                if (written.size() >= failAfter) {
                    throw new IOException("write failed after " + failAfter + " bytes");
                }
                written.write(b.get());
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (shut) {
            throw new IOException("channel shut down");
        }
        if (readPosition >= input.length) {
            return -1;
        }
        int n = Math.min(Math.min(chunk, dst.remaining()), input.length - readPosition);
        dst.put(input, readPosition, n);
        readPosition += n;
        return n;
    }

    @Override
    public void shutdown() {
        shut = true;
    }

    @Override
    public String description() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
    }
}
