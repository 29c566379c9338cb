package dev.tern.transport;

import dev.tern.api.info.SocketAddress;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** {@code unix:PATH} as QEMU's {@code unix_connect_saddr} and {@code unix_listen_saddr} handle it. */
final class UnixTransport {
    private static final int BACKLOG = 64;
    /** The JDK's words for a path that does not fit {@code sun_path}. */
    private static final String JDK_TOO_LONG = "Unix domain path too long";

    private UnixTransport() {
    }

    /**
     * Connects to the socket at the path.
     *
     * @param uri the URI
     * @return the connected channel
     * @throws IOException naming the path if connecting fails
     */
    static ChannelBase connect(MigrationUri.Unix uri) throws IOException {
        UnixDomainSocketAddress address = address(uri.path());
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(address);
        } catch (IOException e) {
            socket.close();
            if (JDK_TOO_LONG.equals(e.getMessage())) {
                throw TransportErrors.unixPathTooLong(uri.path());
            }
            throw TransportErrors.connectFailed(uri.path(), e);
        }
        return new SocketMigrationChannel(socket, "unix:" + uri.path());
    }

    /**
     * Removes whatever is at the path (a stale socket of an earlier run, as QEMU does), binds
     * and listens; the socket file is deleted when the listener closes.
     *
     * @param uri the URI
     * @return the listener
     * @throws IOException naming the path if the old file cannot be removed or binding fails
     */
    static MigrationListener listen(MigrationUri.Unix uri) throws IOException {
        UnixDomainSocketAddress address = address(uri.path());
        Path path = address.getPath();
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            // unlink() refuses directories; Files.delete would remove an empty one.
            throw TransportErrors.unlinkFailed(uri.path(), new FileSystemException(uri.path(), null, "Is a directory"));
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw TransportErrors.unlinkFailed(uri.path(), e);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(address, BACKLOG);
        } catch (IOException e) {
            server.close();
            if (e instanceof SocketException && JDK_TOO_LONG.equals(e.getMessage())) {
                throw TransportErrors.unixPathTooLong(uri.path());
            }
            throw TransportErrors.bindFailed(uri.path(), e);
        }
        return new SocketListener(List.of(server), List.of(SocketAddress.Unix.of(uri.path())), path,
                socket -> new SocketMigrationChannel(socket, "unix:" + uri.path()));
    }

    private static UnixDomainSocketAddress address(String path) throws IOException {
        try {
            return UnixDomainSocketAddress.of(path);
        } catch (InvalidPathException e) {
            throw new IOException("Invalid Unix socket path '" + path + "': " + e.getReason(), e);
        }
    }
}
