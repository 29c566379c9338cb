package dev.tern.transport;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * One established migration connection: the channel QEMU's {@code migrate} opens to its
 * destination and {@code migrate-incoming} accepts, whatever the URI scheme behind it.
 *
 * <p>Blocking. Safe for one reading thread and one writing thread at a time (the return path
 * reads while the migration thread writes); {@link #shutdown()} and {@link #close()} may be
 * called from any thread.
 */
public interface MigrationChannel extends Closeable {

    /**
     * Whether {@link #read(ByteBuffer)} can be used: true for sockets and descriptors, and for
     * the incoming side of {@code exec:} and {@code file:}.
     *
     * @return true if the channel has an input direction
     */
    boolean readable();

    /**
     * Whether {@link #writeFully(ByteBuffer...)} can be used: true for sockets and descriptors,
     * and for the outgoing side of {@code exec:} and {@code file:}.
     *
     * @return true if the channel has an output direction
     */
    boolean writable();

    /**
     * Writes all remaining bytes of all buffers, in order, looping until every buffer is empty.
     * Sockets, files and pipes get them in gathering writes, so a header buffer and a view of
     * guest memory leave in one system call without being copied together first.
     *
     * @param buffers the buffers; their positions advance to their limits
     * @throws IOException if the write fails (the message says what failed and why), if the
     *     channel was shut down or closed, or if it is not {@linkplain #writable() writable}
     */
    void writeFully(ByteBuffer... buffers) throws IOException;

    /**
     * Reads at least one byte into {@code dst}, blocking until some arrive.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the number of bytes read, 0 only if {@code dst} has no room, or -1 at the end
     *     of the stream
     * @throws IOException if the read fails (the message says what failed and why), if the
     *     channel was shut down or closed, or if it is not {@linkplain #readable() readable}
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Unblocks any thread blocked in {@link #read(ByteBuffer)} or
     * {@link #writeFully(ByteBuffer...)}, as QEMU's {@code qemu_file_shutdown} does when a
     * migration is cancelled or paused; those calls and all later ones fail with an
     * {@link IOException}. Resources stay allocated until {@link #close()}. Idempotent.
     */
    void shutdown();

    /**
     * Releases everything the channel holds: the socket or file descriptor, an {@code exec:}
     * child process and its FIFO. A thread blocked in I/O on the channel fails. Idempotent.
     *
     * <p>Only {@code exec:} blocks: the command sees the end of its stream and gets 5 seconds
     * to exit (so {@code exec:gzip > file} finishes the file), then SIGTERM and, 2 seconds
     * later, SIGKILL, together with its descendants.
     *
     * @throws IOException never in Tern's own channels, which release what they can and log
     *     the rest; declared because {@link Closeable#close()} declares it
     */
    @Override
    void close() throws IOException;

    /**
     * What the channel is connected to, as a URI, for messages: {@code tcp:127.0.0.1:4444},
     * {@code unix:/run/mig.sock}, {@code fd:NAME}, {@code exec:COMMAND}, {@code file:PATH}.
     *
     * @return the description
     */
    String description();

    /**
     * The socket under the channel, for {@code sendfile}-style transfers that bypass
     * {@link #writeFully(ByteBuffer...)}.
     *
     * @return the socket for {@code tcp:}, {@code unix:} and socket descriptors, else empty
     */
    default Optional<SocketChannel> socket() {
        return Optional.empty();
    }
}
