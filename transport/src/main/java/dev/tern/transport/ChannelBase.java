package dev.tern.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every migration channel shares: direction checks, the shutdown and close state, and the
 * translation of I/O failures into messages. Subclasses move the bytes and know how to unblock
 * and release their kind of descriptor.
 *
 * <p>Nothing here allocates per call: the loops work on the caller's buffers, and the error
 * paths, which do allocate, end the transfer anyway.
 */
abstract sealed class ChannelBase implements MigrationChannel
        permits SocketMigrationChannel, FileMigrationChannel, ExecMigrationChannel, PlainMigrationChannel {

    private final String description;
    private final String noun;
    private final boolean readable;
    private final boolean writable;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param description what the channel is connected to, as a URI
     * @param noun what QEMU calls this kind in I/O errors: {@code socket}, {@code file},
     *     {@code command}, {@code channel}
     * @param readable whether it has an input direction
     * @param writable whether it has an output direction
     */
    ChannelBase(String description, String noun, boolean readable, boolean writable) {
        this.description = description;
        this.noun = noun;
        this.readable = readable;
        this.writable = writable;
    }

    @Override
    public final boolean readable() {
        return readable;
    }

    @Override
    public final boolean writable() {
        return writable;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final void writeFully(ByteBuffer... buffers) throws IOException {
        if (!writable) {
            throw TransportErrors.wrongDirection(description, "written to");
        }
        checkUsable();
        try {
            transferOut(buffers);
        } catch (IOException e) {
            throw failure(e, true);
        }
    }

    @Override
    public final int read(ByteBuffer dst) throws IOException {
        if (!readable) {
            throw TransportErrors.wrongDirection(description, "read from");
        }
        checkUsable();
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        try {
            n = transferIn(dst);
        } catch (IOException e) {
            throw failure(e, false);
        }
        if (n < 0) {
            // A socket whose input was shut down reads as end of stream: that is the shutdown.
            checkUsable();
            return endOfStream();
        }
        return n;
    }

    @Override
    public final void shutdown() {
        if (shutdown.compareAndSet(false, true)) {
            unblock();
        }
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            shutdown.set(true);
            release();
        }
    }

    /**
     * Writes all remaining bytes of {@code buffers}.
     *
     * @param buffers the caller's buffers
     * @throws IOException as the underlying channel reports it
     */
    abstract void transferOut(ByteBuffer[] buffers) throws IOException;

    /**
     * One read of at least one byte into {@code dst}, which has room.
     *
     * @param dst the destination
     * @return bytes read, or -1 at end of stream
     * @throws IOException as the underlying channel reports it
     */
    abstract int transferIn(ByteBuffer dst) throws IOException;

    /** Makes blocked reads and writes return; must not throw. */
    abstract void unblock();

    /** Releases the descriptor and anything attached to it; must not throw. */
    abstract void release();

    /**
     * What the end of the stream means: -1, or for a command that failed, an error.
     *
     * @return -1
     * @throws IOException if the end of the stream is a failure
     */
    int endOfStream() throws IOException {
        return -1;
    }

    /**
     * Text appended to I/O errors, e.g. how an {@code exec:} command exited.
     *
     * @return the detail, starting with a space, or empty
     */
    String failureDetail() {
        return "";
    }

    private void checkUsable() throws IOException {
        if (closed.get()) {
            throw TransportErrors.closed(description);
        }
        if (shutdown.get()) {
            throw TransportErrors.shutDown(description, null);
        }
    }

    private IOException failure(IOException e, boolean writing) {
        if (closed.get()) {
            return TransportErrors.closed(description);
        }
        if (shutdown.get()) {
            return TransportErrors.shutDown(description, e);
        }
        return writing
                ? TransportErrors.writeFailed(noun, e, failureDetail())
                : TransportErrors.readFailed(noun, e, failureDetail());
    }

    /**
     * Gathering write of everything remaining: one system call per round for sockets, files
     * and pipes, looping because a socket may take fewer bytes than offered.
     *
     * @param channel the channel
     * @param buffers the caller's buffers
     * @throws IOException if the channel fails
     */
    static void gatherFully(GatheringByteChannel channel, ByteBuffer[] buffers) throws IOException {
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= channel.write(buffers);
        }
    }

    /**
     * Buffer-by-buffer write for channels that cannot gather.
     *
     * @param channel the channel
     * @param buffers the caller's buffers
     * @throws IOException if the channel fails
     */
    static void writeEach(WritableByteChannel channel, ByteBuffer[] buffers) throws IOException {
        for (ByteBuffer b : buffers) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    /**
     * A blocking read that does not return 0 while {@code dst} has room.
     *
     * @param channel the channel
     * @param dst the destination, with room
     * @return bytes read, or -1 at end of stream
     * @throws IOException if the channel fails
     */
    static int readSome(ReadableByteChannel channel, ByteBuffer dst) throws IOException {
        int n;
        do {
            n = channel.read(dst);
        } while (n == 0);
        return n;
    }
}
