package dev.tern.transport;

import dev.tern.api.UnavailableFeatureException;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.util.Objects;

/**
 * Opens the channel behind a migration URI: {@link #connect} for {@code migrate} (QEMU's
 * {@code qmp_migrate} → {@code *_start_outgoing_migration}), {@link #listen} for
 * {@code migrate-incoming} ({@code qemu_start_incoming_migration}).
 *
 * <table>
 *   <caption>What each scheme opens</caption>
 *   <tr><th>URI</th><th>connect</th><th>listen / accept</th></tr>
 *   <tr><td>{@code tcp:}</td><td>a socket to the first address that accepts</td>
 *       <td>a socket per resolved address; one connection per accept</td></tr>
 *   <tr><td>{@code unix:}</td><td>a socket to the path</td>
 *       <td>a socket at the path (a stale file is replaced, the file is removed on close)</td></tr>
 *   <tr><td>{@code fd:}</td><td colspan="2">the channel {@link FdSource} holds under the name, taken
 *       when connecting or listening</td></tr>
 *   <tr><td>{@code exec:}</td><td>{@code /bin/sh -c CMD}, the stream on its standard input</td>
 *       <td>the command started when listening, its standard output read</td></tr>
 *   <tr><td>{@code file:}</td><td>the file created or truncated, written from {@code offset}</td>
 *       <td>the file opened when listening, read from {@code offset}</td></tr>
 * </table>
 *
 * <p>{@code vsock:}, {@code rdma:} and {@code tcp:...,mptcp} are refused with
 * {@link UnavailableFeatureException} carrying {@link MigrationUri#unsupportedReason()}.
 * Everything else that fails is an {@link IOException} whose message names what failed and the
 * system's reason, in QEMU's words where QEMU has them, e.g.
 * {@code Failed to connect to '127.0.0.1:4444': Connection refused}.
 */
public final class Transports {

    private Transports() {
    }

    /**
     * Opens the outgoing channel, blocking until it is connected.
     *
     * @param uri the parsed {@code migrate} URI
     * @param fds where {@code fd:} channels come from
     * @return the connected channel, owned by the caller
     * @throws UnavailableFeatureException for {@code vsock:}, {@code rdma:} and {@code mptcp}
     * @throws IOException if the channel cannot be opened
     */
    public static MigrationChannel connect(MigrationUri uri, FdSource fds) throws IOException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fds, "fds");
        refuseUnsupported(uri);
        return switch (uri) {
            case MigrationUri.Tcp tcp -> TcpTransport.connect(tcp);
            case MigrationUri.Unix unix -> UnixTransport.connect(unix);
            case MigrationUri.Fd fd -> FdTransport.take(fd, fds);
            case MigrationUri.Exec exec -> ExecTransport.connect(exec, ExecTransport.GRACE);
            case MigrationUri.File file -> FileTransport.connect(file);
            case MigrationUri.Vsock vsock -> throw unsupported(vsock);
            case MigrationUri.Rdma rdma -> throw unsupported(rdma);
        };
    }

    /**
     * Starts listening for the incoming channel(s): binds sockets, takes an {@code fd:}
     * channel, starts an {@code exec:} command or opens a {@code file:}.
     *
     * @param uri the parsed {@code migrate-incoming} URI
     * @param fds where {@code fd:} channels come from
     * @return the listener, owned by the caller
     * @throws UnavailableFeatureException for {@code vsock:}, {@code rdma:} and {@code mptcp}
     * @throws IOException if listening cannot start
     */
    public static MigrationListener listen(MigrationUri uri, FdSource fds) throws IOException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fds, "fds");
        refuseUnsupported(uri);
        return switch (uri) {
            case MigrationUri.Tcp tcp -> TcpTransport.listen(tcp);
            case MigrationUri.Unix unix -> UnixTransport.listen(unix);
            case MigrationUri.Fd fd -> FdTransport.listen(fd, fds);
            case MigrationUri.Exec exec -> ExecTransport.listen(exec, ExecTransport.GRACE);
            case MigrationUri.File file -> FileTransport.listen(file);
            case MigrationUri.Vsock vsock -> throw unsupported(vsock);
            case MigrationUri.Rdma rdma -> throw unsupported(rdma);
        };
    }

    private static void refuseUnsupported(MigrationUri uri) {
        if (uri.unsupportedReason().isPresent()) {
            throw unsupported(uri);
        }
    }

    private static UnavailableFeatureException unsupported(MigrationUri uri) {
        return new UnavailableFeatureException(uri.unsupportedReason()
                .orElseThrow(() -> new IllegalStateException(uri.scheme() + ": has no reason to be refused")));
    }
}
