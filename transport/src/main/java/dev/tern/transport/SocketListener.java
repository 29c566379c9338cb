package dev.tern.transport;

import dev.tern.api.info.SocketAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Listening sockets ({@code tcp:} or {@code unix:}), one per resolved address as QEMU's
 * {@code qio_net_listener_open_sync} opens them, accepted through one {@link Selector} so a
 * single {@link #accept()} waits on all of them and {@link #close()} wakes it.
 */
final class SocketListener implements MigrationListener {
    private static final System.Logger LOG = System.getLogger(SocketListener.class.getName());

    /** Wraps an accepted connection. */
    @FunctionalInterface
    interface Acceptor {
        /**
         * @param socket the accepted socket, in blocking mode
         * @return the channel that owns it
         * @throws IOException if configuring it fails
         */
        ChannelBase wrap(SocketChannel socket) throws IOException;
    }

    private final List<ServerSocketChannel> servers;
    private final List<SocketAddress> addresses;
    private final Path unixPath;
    private final Acceptor acceptor;
    private final Selector selector;
    private final Object acceptLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Takes ownership of the bound servers (closing them if this fails).
     *
     * @param servers bound, listening sockets
     * @param addresses what {@link #addresses()} reports
     * @param unixPath the socket file to delete on close, or null
     * @param acceptor wraps accepted sockets
     * @throws IOException if the selector cannot be set up
     */
    SocketListener(List<ServerSocketChannel> servers, List<SocketAddress> addresses, Path unixPath, Acceptor acceptor)
            throws IOException {
        this.servers = List.copyOf(servers);
        this.addresses = List.copyOf(addresses);
        this.unixPath = unixPath;
        this.acceptor = acceptor;
        Selector opened = null;
        try {
            opened = Selector.open();
            for (ServerSocketChannel server : this.servers) {
                server.configureBlocking(false);
                server.register(opened, SelectionKey.OP_ACCEPT);
            }
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            closeServers();
            deleteSocketFile();
            throw e;
        }
        this.selector = opened;
    }

    @Override
    public List<SocketAddress> addresses() {
        return addresses;
    }

    @Override
    public MigrationChannel accept() throws IOException {
        synchronized (acceptLock) {
            try {
                while (true) {
                    if (closed.get()) {
                        throw TransportErrors.listenerClosed();
                    }
                    for (ServerSocketChannel server : servers) {
                        SocketChannel socket = server.accept();
                        if (socket != null) {
                            return wrap(socket);
                        }
                    }
                    selector.select();
                    selector.selectedKeys().clear();
                }
            } catch (ClosedSelectorException e) {
                throw TransportErrors.listenerClosed();
            } catch (IOException e) {
                if (closed.get()) {
                    throw TransportErrors.listenerClosed();
                }
                throw e;
            }
        }
    }

    private ChannelBase wrap(SocketChannel socket) throws IOException {
        try {
            // The JDK hands accepted sockets out in blocking mode; say so rather than rely on it.
            socket.configureBlocking(true);
            return acceptor.wrap(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            // Wakes a thread in select() and waits for it to leave; deregisters the servers
            // so closing them below releases their descriptors at once.
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "closing the selector: " + e);
        }
        closeServers();
        deleteSocketFile();
    }

    private void closeServers() {
        for (ServerSocketChannel server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "closing " + server + ": " + e);
            }
        }
    }

    private void deleteSocketFile() {
        if (unixPath != null) {
            // QEMU's socket_listen_cleanup: the socket file goes with the listener.
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "Failed to unlink socket " + unixPath + ": " + e);
            }
        }
    }
}
