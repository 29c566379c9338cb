package dev.tern.core.interop;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A QMP client over a unix socket, one command at a time: QEMU writes one JSON object per line,
 * a reader thread sorts them into replies ({@code {"return": ...}} or {@code {"error": ...}})
 * and events ({@code {"event": ...}}), so a reply can be awaited with a timeout and a QEMU that
 * exits mid-command is noticed at once.
 */
final class QmpClient implements Closeable {
    /** What the reader thread queues when QEMU closed the socket. */
    private static final String END = "\0end";
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean ended;

    private QmpClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofPlatform().name("qmp-reader").daemon().unstarted(this::readLines);
    }

    /**
     * Connects to QEMU's QMP server socket, retrying while QEMU is starting (it creates the
     * socket early, but not at once), reads the greeting and leaves capabilities negotiation.
     *
     * @param socket the socket path given to {@code -qmp unix:PATH,server=on,wait=off}
     * @param alive false once the QEMU process has exited (no point retrying then)
     * @param timeout how long to keep trying
     * @throws IOException if QEMU exits or the socket does not accept within the timeout
     */
    static QmpClient connect(Path socket, BooleanSupplier alive, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    QmpClient client = new QmpClient(channel);
                    client.reader.start();
                    client.handshake();
                    return client;
                } catch (IOException e) {
                    channel.close();
                    if (!alive.getAsBoolean() || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            if (!alive.getAsBoolean()) {
                throw new IOException("QEMU exited before its QMP socket " + socket + " accepted a connection");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU's QMP socket " + socket + " did not accept a connection within " + timeout);
            }
            sleep(10);
        }
    }

    private void handshake() throws IOException {
        String greeting = next();
        if (!greeting.startsWith("{\"QMP\"")) {
            throw new IOException("not a QMP greeting: " + greeting);
        }
        String reply = execute("{\"execute\": \"qmp_capabilities\"}");
        if (!reply.startsWith("{\"return\"")) {
            throw new IOException("qmp_capabilities refused: " + reply);
        }
    }

    /**
     * Sends a command and returns QEMU's reply line, a {@code return} or an {@code error}.
     *
     * @param json the command, for example {@code {"execute": "query-status"}}
     * @return the reply text
     * @throws IOException if QEMU closed the socket or did not answer within 10 s
     */
    synchronized String execute(String json) throws IOException {
        if (ended) {
            throw new IOException("QMP connection closed (QEMU exited?) before " + json);
        }
        ByteBuffer bytes = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        return next();
    }

    /**
     * The events received so far, oldest first.
     *
     * @return each event as parsed JSON
     */
    List<Map<String, Object>> events() {
        return List.copyOf(events);
    }

    private String next() throws IOException {
        String line;
        try {
            line = replies.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for QMP", e);
        }
        if (line == null) {
            throw new IOException("QEMU did not answer on QMP within " + REPLY_TIMEOUT);
        }
        if (line.equals(END)) {
            replies.add(END); // every later call sees the end too
            throw new IOException("QMP connection closed (QEMU exited?)");
        }
        return line;
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                Map<String, Object> message = Json.parseObject(line);
                if (message.containsKey("event")) {
                    events.add(message);
                } else {
                    replies.add(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The socket closed under us (QEMU exited, or close() below): same as end of stream.
        } finally {
            ended = true;
            replies.add(END);
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Closes the socket; the reader thread ends. */
    @Override
    public void close() throws IOException {
        channel.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
