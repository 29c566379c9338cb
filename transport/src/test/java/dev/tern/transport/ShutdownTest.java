package dev.tern.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link MigrationChannel#shutdown()} (QEMU's cancel and {@code migrate-pause}) and
 * {@link MigrationChannel#close()} from another thread release a thread stuck in a read or a
 * write, for every kind of channel; later I/O fails.
 */
class ShutdownTest {
    private static final Duration SHORT_GRACE = Duration.ofMillis(100);

    @TempDir
    Path dir;

    /** A channel whose peer never writes (reader) and one whose peer never reads (writer). */
    record Ends(MigrationChannel reader, MigrationChannel writer, List<java.io.Closeable> others) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            reader.close();
            writer.close();
            for (java.io.Closeable other : others) {
                other.close();
            }
        }
    }

    enum Kind {
        TCP, UNIX, FD_SOCKET, FD_PLAIN, EXEC, FILE_ON_A_FIFO;

        Ends open(Path dir) throws Exception {
            List<java.io.Closeable> others = new ArrayList<>();
            return switch (this) {
                case TCP -> socketEnds(RoundTripTest.listen("tcp:127.0.0.1:0"), null, others);
                case UNIX -> socketEnds(RoundTripTest.listen("unix:" + dir.resolve("s.sock")), dir.resolve("s.sock"), others);
                case FD_SOCKET -> {
                    SocketChannel[] pair = RoundTripTest.socketPair();
                    FdSource fds = new HashMap<String, ByteChannel>(Map.of("a", pair[0], "b", pair[1]))::remove;
                    MigrationChannel a = Transports.connect(MigrationUri.parse("fd:a"), fds);
                    MigrationChannel b = Transports.connect(MigrationUri.parse("fd:b"), fds);
                    others.add(b);
                    yield new Ends(a, a, others);
                }
                case FD_PLAIN -> {
                    Pipe in = Pipe.open();
                    Pipe out = Pipe.open();
                    others.add(in.sink());
                    others.add(out.source());
                    FdSource fds = name -> new RoundTripTest.PipeEnds(in.source(), out.sink());
                    MigrationChannel channel = Transports.connect(MigrationUri.parse("fd:x"), fds);
                    yield new Ends(channel, channel, others);
                }
                case EXEC -> {
                    // sleep neither reads its input nor writes its output.
                    MigrationChannel writer = ExecTransport.connect(new MigrationUri.Exec("sleep 600"), SHORT_GRACE);
                    MigrationListener listener = ExecTransport.listen(new MigrationUri.Exec("sleep 600"), SHORT_GRACE);
                    others.add(listener);
                    yield new Ends(listener.accept(), writer, others);
                }
                case FILE_ON_A_FIFO -> {
                    Path readFifo = fifo(dir.resolve("r"));
                    Path writeFifo = fifo(dir.resolve("w"));
                    // A peer that holds each FIFO open but never moves a byte.
                    others.add(FileChannel.open(readFifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
                    others.add(FileChannel.open(writeFifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
                    MigrationListener listener = RoundTripTest.listen("file:" + readFifo);
                    others.add(listener);
                    yield new Ends(listener.accept(), RoundTripTest.connect("file:" + writeFifo), others);
                }
            };
        }

        private static Ends socketEnds(MigrationListener listener, Path path, List<java.io.Closeable> others)
                throws Exception {
            String uri = path == null ? "tcp:127.0.0.1:" + RoundTripTest.port(listener) : "unix:" + path;
            MigrationChannel connected = RoundTripTest.connect(uri);
            MigrationChannel accepted = listener.accept();
            others.add(listener);
            others.add(accepted);
            return new Ends(connected, connected, others);
        }

        private static Path fifo(Path path) throws Exception {
            assertEquals(0, new ProcessBuilder("mkfifo", path.toString()).start().waitFor());
            return path;
        }
    }

    /** Reads until something ends the loop; returns what did. */
    private static Future<IOException> blockedReader(MigrationChannel channel, Thread[] thread, AtomicLong progress) {
        return Transfers.background(() -> {
            thread[0] = Thread.currentThread();
            ByteBuffer into = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    int n = channel.read(into.clear());
                    if (n < 0) {
                        return new IOException("end of stream instead of an error");
                    }
                    progress.addAndGet(n);
                }
            } catch (IOException e) {
                return e;
            }
        });
    }

    /** Writes until the peer's buffers are full and the write blocks, then until something ends it. */
    private static Future<IOException> blockedWriter(MigrationChannel channel, Thread[] thread, AtomicLong progress) {
        return Transfers.background(() -> {
            thread[0] = Thread.currentThread();
            ByteBuffer header = ByteBuffer.allocateDirect(16);
            ByteBuffer page = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer[] record = {header, page};
            try {
                while (true) {
                    header.clear();
                    page.clear();
                    channel.writeFully(record);
                    progress.incrementAndGet();
                }
            } catch (IOException e) {
                return e;
            }
        });
    }

    private static Thread started(Thread[] thread) {
        while (thread[0] == null) {
            Thread.onSpinWait();
        }
        return thread[0];
    }

    private static void assertShutDown(MigrationChannel channel, IOException e) {
        assertEquals("Channel " + channel.description() + " was shut down", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shutdownUnblocksAReader(Kind kind) throws Exception {
        try (Ends ends = kind.open(dir)) {
            MigrationChannel channel = ends.reader();
            Thread[] thread = new Thread[1];
            AtomicLong progress = new AtomicLong();
            Future<IOException> reader = blockedReader(channel, thread, progress);
            Blocking.awaitBlocked(started(thread), progress::get);
            channel.shutdown();
            assertShutDown(channel, Transfers.await(reader));
            assertShutDown(channel, assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocate(1))));
            channel.shutdown();
            channel.close();
            IOException closed = assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocate(1)));
            assertEquals("Channel " + channel.description() + " is closed", closed.getMessage());
            channel.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shutdownUnblocksAWriter(Kind kind) throws Exception {
        try (Ends ends = kind.open(dir)) {
            MigrationChannel channel = ends.writer();
            Thread[] thread = new Thread[1];
            AtomicLong progress = new AtomicLong();
            Future<IOException> writer = blockedWriter(channel, thread, progress);
            Blocking.awaitBlocked(started(thread), progress::get);
            channel.shutdown();
            assertShutDown(channel, Transfers.await(writer));
            assertShutDown(channel, assertThrows(IOException.class, () -> channel.writeFully(ByteBuffer.allocate(1))));
            channel.close();
            IOException closed = assertThrows(IOException.class, () -> channel.writeFully(ByteBuffer.allocate(1)));
            assertEquals("Channel " + channel.description() + " is closed", closed.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeUnblocksAReaderAndAWriter(Kind kind) throws Exception {
        try (Ends ends = kind.open(dir)) {
            Thread[] readerThread = new Thread[1];
            Thread[] writerThread = new Thread[1];
            AtomicLong read = new AtomicLong();
            AtomicLong written = new AtomicLong();
            Future<IOException> reader = blockedReader(ends.reader(), readerThread, read);
            Future<IOException> writer = blockedWriter(ends.writer(), writerThread, written);
            Blocking.awaitBlocked(started(readerThread), read::get);
            Blocking.awaitBlocked(started(writerThread), written::get);
            ends.reader().close();
            ends.writer().close();
            IOException readFailure = Transfers.await(reader);
            IOException writeFailure = Transfers.await(writer);
            assertEquals("Channel " + ends.reader().description() + " is closed", readFailure.getMessage());
            assertEquals("Channel " + ends.writer().description() + " is closed", writeFailure.getMessage());
        }
    }
}
