package dev.tern.qmp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.qmp.json.QmpJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One QMP client on a socket, served by three threads, as QEMU serves a monitor:
 * <ul>
 * <li>the reader parses requests; an out-of-band request ({@code exec-oob}) runs at once on
 *     the reader, everything else is queued for the worker (at most
 *     {@value #MAX_QUEUED_REQUESTS} pending, QEMU's {@code QMP_REQ_QUEUE_LEN_MAX}; beyond that
 *     the reader stops reading, as QEMU suspends the monitor);</li>
 * <li>the worker runs queued requests in order;</li>
 * <li>the writer sends the greeting, replies and events, one JSON object per line ending in
 *     {@code \r\n}, from a bounded queue.</li>
 * </ul>
 * Nothing that produces output ever waits for the client: if the output queue is full, the
 * client cannot keep up and is disconnected, so a stalled client never blocks the engine that
 * emits events. When the client stops sending (end of input), queued requests still run and
 * their replies are flushed before the socket closes.
 */
final class QmpConnection {
    /** In-band requests that may wait for the worker before the reader stops reading. */
    static final int MAX_QUEUED_REQUESTS = 8;

    private static final System.Logger LOG = System.getLogger(QmpConnection.class.getName());
    /** Ends a queue: the worker's after the last request, the writer's after the last line. */
    private static final Object END = new Object();

    private final int number;
    private final SocketChannel channel;
    private final QmpSession session;
    private final String greeting;
    private final Runnable onFinished;

    private final BlockingQueue<Object> requests = new LinkedBlockingQueue<>();
    private final Semaphore requestSlots = new Semaphore(MAX_QUEUED_REQUESTS);
    private final BlockingQueue<Object> output;
    private final AtomicInteger running = new AtomicInteger(3);

    private final Thread reader;
    private final Thread worker;
    private final Thread writer;

    /** No more output is accepted and queued requests are dropped. */
    private volatile boolean closing;

    QmpConnection(int number, SocketChannel channel, QmpSession session, String greeting, int outputCapacity,
            Runnable onFinished) {
        this.number = number;
        this.channel = channel;
        this.session = session;
        this.greeting = greeting;
        this.onFinished = onFinished;
        // one extra slot so the END marker fits behind a full queue of lines
        this.output = new ArrayBlockingQueue<>(outputCapacity + 1);
        String prefix = "tern-qmp-client-" + number + "-";
        this.reader = Thread.ofPlatform().daemon().name(prefix + "reader").unstarted(this::readLoop);
        this.worker = Thread.ofPlatform().daemon().name(prefix + "worker").unstarted(this::workLoop);
        this.writer = Thread.ofPlatform().daemon().name(prefix + "writer").unstarted(this::writeLoop);
    }

    void start() {
        send(greeting);
        writer.start();
        worker.start();
        reader.start();
    }

    /**
     * Delivers an event line if the client has completed negotiation (QEMU sends events only to
     * negotiated monitors). Never blocks.
     */
    void offerEvent(String line) {
        if (session.negotiated()) {
            send(line);
        }
    }

    /**
     * Stops taking requests, drops those not yet started, lets the running one finish and
     * flushes the replies already produced; the socket closes when the writer is done.
     */
    void shutdown() {
        closing = true;
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            abort();
        }
    }

    /** Closes the socket at once; the threads notice and end. */
    void abort() {
        closing = true;
        closeChannel();
        reader.interrupt();
        writer.interrupt();
    }

    /**
     * Waits for the three threads to end; if they have not ended by the deadline, aborts the
     * connection and waits for them without a deadline (only a command still running in the
     * engine can then delay the return).
     */
    void awaitTermination(long deadlineNanos) throws InterruptedException {
        Thread[] threads = {writer, reader, worker};
        for (Thread t : threads) {
            long left = deadlineNanos - System.nanoTime();
            if (t != Thread.currentThread() && (left <= 0 || !t.join(Duration.ofNanos(left)))) {
                abort();
                break;
            }
        }
        for (Thread t : threads) {
            // a server closed from one of its own commands must not wait for itself
            if (t != Thread.currentThread()) {
                t.join();
            }
        }
    }

    boolean finished() {
        return !reader.isAlive() && !worker.isAlive() && !writer.isAlive();
    }

    private void send(ObjectNode reply) {
        send(QmpJson.write(reply));
    }

    private void send(String json) {
        if (closing && Thread.currentThread() != worker) {
            return;
        }
        if (!output.offer(json + "\r\n")) {
            LOG.log(System.Logger.Level.WARNING, "QMP client {0} does not read its output fast enough; disconnecting",
                    number);
            abort();
        }
    }

    private void readLoop() {
        try {
            RequestReader in = new RequestReader(channel);
            while (!closing) {
                RequestReader.Input input = in.next();
                if (input == null) {
                    break;
                }
                if (input instanceof RequestReader.Value v && QmpSession.isOutOfBand(v.json())) {
                    send(session.execute(v.json()));
                    continue;
                }
                requestSlots.acquire();
                requests.add(input);
            }
        } catch (IOException | InterruptedException e) {
            // the socket was closed or broke: the conversation is over
        } finally {
            requests.add(END);
            threadDone();
        }
    }

    private void workLoop() {
        try {
            while (true) {
                Object item = requests.take();
                if (item == END) {
                    break;
                }
                requestSlots.release();
                if (closing) {
                    continue;
                }
                switch ((RequestReader.Input) item) {
                    case RequestReader.Value v -> send(session.execute(v.json()));
                    case RequestReader.Malformed m -> send(QmpSession.parseError(m.detail()));
                }
            }
        } catch (InterruptedException e) {
            // never interrupted by Tern; an embedder's interrupt ends the worker
        } finally {
            if (!output.offer(END)) {
                abort();
            }
            threadDone();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Object item = output.take();
                if (item == END) {
                    break;
                }
                ByteBuffer bytes = ByteBuffer.wrap(((String) item).getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away or the connection was aborted
        } finally {
            closing = true;
            closeChannel();
            // the reader may be waiting for a request slot the worker will never free
            reader.interrupt();
            threadDone();
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing QMP client socket failed", e);
        }
    }

    private void threadDone() {
        if (running.decrementAndGet() == 0) {
            onFinished.run();
        }
    }

    @Override
    public String toString() {
        return "QMP client " + number;
    }
}
