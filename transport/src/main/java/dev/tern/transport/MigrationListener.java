package dev.tern.transport;

import dev.tern.api.info.SocketAddress;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The incoming end of a migration transport, opened by {@code migrate-incoming} (or
 * {@code migrate-recover}): a listening socket, or the single channel of {@code fd:},
 * {@code exec:} and {@code file:}.
 *
 * <p>{@link #close()} releases what the listener holds but not the channels it has handed out.
 */
public interface MigrationListener extends Closeable {

    /**
     * The listening addresses as {@code query-migrate} reports them in {@code socket-address}:
     * numeric hosts, and for a TCP port 0 the port the system chose.
     *
     * @return one entry per listening socket for {@code tcp:}, the path for {@code unix:},
     *     empty for {@code fd:}, {@code exec:} and {@code file:}
     */
    List<SocketAddress> addresses();

    /**
     * Returns the next incoming channel: for sockets, blocks until a peer connects (one
     * connection per call, so multifd accepts once per channel); for {@code fd:}, {@code exec:}
     * and {@code file:} returns their single channel, and fails on a second call.
     *
     * @return the connected channel, owned by the caller
     * @throws java.nio.channels.AsynchronousCloseException if {@link #close()} is called while
     *     waiting, or was called before
     * @throws IOException if accepting fails
     */
    MigrationChannel accept() throws IOException;

    /**
     * Stops listening: unblocks a thread waiting in {@link #accept()}, closes the listening
     * sockets, removes a {@code unix:} socket file and releases an {@code fd:}, {@code exec:}
     * or {@code file:} channel nobody accepted. Idempotent.
     *
     * @throws IOException never in Tern's own listeners; declared because
     *     {@link Closeable#close()} declares it
     */
    @Override
    void close() throws IOException;
}
