package dev.tern.qmp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.qmp.codec.QapiCodec;
import dev.tern.qmp.command.QmpCapability;
import dev.tern.qmp.json.QmpJson;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A QMP server on a unix socket, as QEMU's {@code -qmp unix:PATH,server=on,wait=off}: each client
 * gets the greeting
 * <pre>{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "tern-VERSION"}, "capabilities": ["oob"]}}</pre>
 * then negotiates with {@code qmp_capabilities} and sends commands; replies and the VM's events
 * come back one JSON object per line, each ending in {@code \r\n}. Input objects may span lines
 * or share one.
 *
 * <p>Several clients may be connected at once (up to {@link Options#maxClients()}; further ones
 * wait in the listen backlog, as QEMU's single-client monitor makes them wait), each with its
 * own negotiation. Events go to every negotiated client; a client that does not read its output
 * fast enough to keep its queue below {@link Options#outputCapacity()} lines is disconnected, so
 * the engine that emits events never waits for a client.
 *
 * <p>{@link #close()} stops accepting, lets each client's running command finish and its
 * pending output flush (for at most {@link #CLOSE_GRACE_SECONDS} seconds), then closes every
 * socket, ends every thread the server started and removes the socket file.
 *
 * {@snippet :
 * try (QmpServer server = QmpServer.start(Path.of("/run/vm1.qmp"), new QmpDispatcher(vm))) {
 *     // clients connect with, for example, `socat - UNIX-CONNECT:/run/vm1.qmp`
 * }
 * }
 */
public final class QmpServer implements AutoCloseable {
    /** How long {@link #close()} lets clients flush before closing their sockets. */
    public static final long CLOSE_GRACE_SECONDS = 2;

    private static final System.Logger LOG = System.getLogger(QmpServer.class.getName());

    /**
     * Server limits.
     *
     * @param maxClients clients served at once (1 serves them strictly one after another, as
     *     QEMU does)
     * @param outputCapacity lines (replies and events) a client may have waiting to be sent
     *     before it is disconnected
     */
    public record Options(int maxClients, int outputCapacity) {
        /** 16 concurrent clients, 1024 pending lines each. */
        public static final Options DEFAULTS = new Options(16, 1024);

        /**
         * Checks the limits.
         *
         * @throws IllegalArgumentException if a limit is not positive
         */
        public Options {
            if (maxClients < 1 || outputCapacity < 1) {
                throw new IllegalArgumentException("maxClients and outputCapacity must be positive: " + maxClients
                        + ", " + outputCapacity);
            }
        }
    }

    private final Path path;
    private final QmpDispatcher dispatcher;
    private final Options options;
    private final ServerSocketChannel listener;
    private final String greeting;
    private final Set<QmpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;
    private final MigrationEventListener events = this::broadcast;
    private final Thread acceptor;
    private final Object closeLock = new Object();
    private volatile boolean closed;
    private int accepted;

    private QmpServer(Path path, QmpDispatcher dispatcher, Options options, ServerSocketChannel listener) {
        this.path = path;
        this.dispatcher = dispatcher;
        this.options = options;
        this.listener = listener;
        this.greeting = QmpJson.write(greeting());
        this.slots = new Semaphore(options.maxClients());
        this.acceptor = Thread.ofPlatform().daemon().name("tern-qmp-acceptor").unstarted(this::acceptLoop);
    }

    /**
     * Starts a server with {@link Options#DEFAULTS}.
     *
     * @param socket where to listen; a stale socket file there is replaced
     * @param dispatcher runs the commands
     * @return the running server
     * @throws IOException if the socket cannot be created, or {@code socket} names something
     *     that is not a socket
     */
    public static QmpServer start(Path socket, QmpDispatcher dispatcher) throws IOException {
        return start(socket, dispatcher, Options.DEFAULTS);
    }

    /**
     * Starts a server.
     *
     * @param socket where to listen; a stale socket file there is replaced
     * @param dispatcher runs the commands
     * @param options the limits
     * @return the running server
     * @throws IOException if the socket cannot be created, or {@code socket} names something
     *     that is not a socket
     */
    public static QmpServer start(Path socket, QmpDispatcher dispatcher, Options options) throws IOException {
        Objects.requireNonNull(dispatcher, "dispatcher");
        Objects.requireNonNull(options, "options");
        removeStaleSocket(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        QmpServer server = new QmpServer(socket, dispatcher, options, listener);
        dispatcher.control().addEventListener(server.events);
        server.acceptor.start();
        return server;
    }

    /**
     * Where the server listens.
     *
     * @return the socket path
     */
    public Path socketPath() {
        return path;
    }

    /**
     * How many clients are connected now.
     *
     * @return the number of clients whose connection has not ended
     */
    public int clientCount() {
        int n = 0;
        for (QmpConnection c : connections) {
            if (!c.finished()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Stops the server: no new clients; each client's running command finishes and its pending
     * output is flushed (for at most {@link #CLOSE_GRACE_SECONDS} seconds); then every socket
     * and thread of the server is gone and the socket file removed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        dispatcher.control().removeEventListener(events);
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the QMP listener failed", e);
        }
        acceptor.interrupt();
        boolean interrupted = false;
        try {
            acceptor.join();
            List<QmpConnection> all = new ArrayList<>(connections);
            for (QmpConnection c : all) {
                c.shutdown();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_GRACE_SECONDS);
            for (QmpConnection c : all) {
                c.awaitTermination(deadline);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            for (QmpConnection c : connections) {
                c.abort();
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove QMP socket " + path, e);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                slots.release();
                LOG.log(System.Logger.Level.WARNING, "accepting a QMP client failed", e);
                continue;
            }
            connections.removeIf(QmpConnection::finished);
            QmpConnection connection = new QmpConnection(++accepted, channel, dispatcher.newSession(), greeting,
                    options.outputCapacity(), slots::release);
            // close() joins this thread before it looks at the connections, so none is missed
            connections.add(connection);
            connection.start();
        }
    }

    private void broadcast(MigrationEvent event) {
        String line = QmpJson.write(QmpEvents.message(event));
        for (QmpConnection c : connections) {
            c.offerEvent(line);
        }
    }

    private static ObjectNode greeting() {
        ObjectNode body = QmpJson.object();
        body.set("version", QapiCodec.encode(QmpVersion.info()));
        body.set("capabilities", QmpJson.array().add(QmpCapability.OOB.qapiName()));
        ObjectNode greeting = QmpJson.object();
        greeting.set("QMP", body);
        return greeting;
    }

    private static void removeStaleSocket(Path socket) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        // QEMU unlinks whatever is there; Tern only replaces a socket, never a file or directory.
        if (!attributes.isOther()) {
            throw new IOException(socket + " exists and is not a socket");
        }
        Files.delete(socket);
    }
}
