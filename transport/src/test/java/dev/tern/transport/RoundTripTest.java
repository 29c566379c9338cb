package dev.tern.transport;

import static dev.tern.transport.Transfers.MIB;
import static dev.tern.transport.Transfers.assertEndOfStream;
import static dev.tern.transport.Transfers.pattern;
import static dev.tern.transport.Transfers.receive;
import static dev.tern.transport.Transfers.roundTrip;
import static dev.tern.transport.Transfers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.info.SocketAddress;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few MiB through every kind of channel, in the shape the engine writes them. */
class RoundTripTest {
    private static final int SIZE = 6 * MIB + 12345;
    private static final FdSource NO_FDS = name -> null;

    @TempDir
    Path dir;

    static MigrationListener listen(String uri) throws IOException {
        return Transports.listen(MigrationUri.parse(uri), NO_FDS);
    }

    static MigrationChannel connect(String uri) throws IOException {
        return Transports.connect(MigrationUri.parse(uri), NO_FDS);
    }

    static int port(MigrationListener listener) {
        return Integer.parseInt(((SocketAddress.Inet) listener.addresses().getFirst()).port());
    }

    /** Both directions: the stream one way, the return path the other. */
    private static void bothWays(MigrationChannel source, MigrationChannel destination) throws Exception {
        roundTrip(source, destination, SIZE, 1);
        roundTrip(destination, source, MIB, 2);
    }

    @Test
    void tcpIpv4() throws Exception {
        try (MigrationListener listener = listen("tcp:127.0.0.1:0");
                MigrationChannel source = connect("tcp:127.0.0.1:" + port(listener));
                MigrationChannel destination = listener.accept()) {
            assertEquals("tcp:127.0.0.1:" + port(listener), source.description());
            int sourcePort = ((InetSocketAddress) source.socket().orElseThrow().getLocalAddress()).getPort();
            assertEquals("tcp:127.0.0.1:" + sourcePort, destination.description());
            assertTrue(source.readable() && source.writable() && destination.readable() && destination.writable());
            bothWays(source, destination);
            source.shutdown();
            assertEndOfStream(destination);
        }
    }

    @Test
    void tcpIpv6Loopback() throws Exception {
        assumeIpv6Loopback();
        try (MigrationListener listener = listen("tcp:[::1]:0");
                MigrationChannel source = connect("tcp:[::1]:" + port(listener));
                MigrationChannel destination = listener.accept()) {
            assertEquals(List.of(SocketAddress.Inet.bound("::1", port(listener), true)), listener.addresses());
            assertEquals("tcp:[::1]:" + port(listener), source.description());
            assertTrue(destination.description().startsWith("tcp:[::1]:"), destination.description());
            bothWays(source, destination);
        }
    }

    @Test
    void unix() throws Exception {
        String path = dir.resolve("mig.sock").toString();
        try (MigrationListener listener = listen("unix:" + path);
                MigrationChannel source = connect("unix:" + path);
                MigrationChannel destination = listener.accept()) {
            assertEquals(List.of(SocketAddress.Unix.of(path)), listener.addresses());
            assertEquals("unix:" + path, source.description());
            assertEquals("unix:" + path, destination.description());
            assertTrue(source.socket().isPresent());
            bothWays(source, destination);
        }
    }

    @Test
    void fdSocketPair() throws Exception {
        SocketChannel[] pair = socketPair();
        Map<String, ByteChannel> registry = new HashMap<>(Map.of("src", pair[0], "dst", pair[1]));
        FdSource fds = registry::remove;
        try (MigrationChannel source = Transports.connect(MigrationUri.parse("fd:src"), fds);
                MigrationListener listener = Transports.listen(MigrationUri.parse("fd:dst"), fds);
                MigrationChannel destination = listener.accept()) {
            assertTrue(registry.isEmpty(), "taking consumes the registered channel");
            assertEquals(List.of(), listener.addresses());
            assertEquals("fd:src", source.description());
            assertEquals(pair[0], source.socket().orElseThrow());
            bothWays(source, destination);
        }
        assertFalse(pair[0].isOpen() || pair[1].isOpen(), "the channels own what they took");
    }

    @Test
    void fdPlainByteChannels() throws Exception {
        Pipe forward = Pipe.open();
        Pipe back = Pipe.open();
        Map<String, ByteChannel> registry = new HashMap<>(Map.of(
                "src", new PipeEnds(back.source(), forward.sink()),
                "dst", new PipeEnds(forward.source(), back.sink())));
        FdSource fds = registry::remove;
        try (MigrationChannel source = Transports.connect(MigrationUri.parse("fd:src"), fds);
                MigrationListener listener = Transports.listen(MigrationUri.parse("fd:dst"), fds);
                MigrationChannel destination = listener.accept()) {
            assertTrue(source.socket().isEmpty());
            bothWays(source, destination);
        }
        assertFalse(forward.sink().isOpen() || forward.source().isOpen());
    }

    @Test
    void execOutgoingIntoCat() throws Exception {
        Path file = dir.resolve("stream.bin");
        byte[] data = pattern(SIZE, 3);
        MigrationChannel source = connect("exec:cat > '" + file + "'");
        assertEquals("exec:cat > '" + file + "'", source.description());
        assertTrue(source.writable());
        assertFalse(source.readable());
        send(source, data);
        // close() waits for cat to drain the FIFO and exit.
        source.close();
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void execCloseWaitsForTheCommandToFinish() throws Exception {
        // The shell keeps the FIFO open while it sleeps; cat then drains it. close() must
        // neither kill the pipeline nor return before the file is complete.
        Path file = dir.resolve("late.bin");
        byte[] data = pattern(60_000, 14);
        MigrationChannel source = connect("exec:sleep 0.3; cat > '" + file + "'");
        source.writeFully(ByteBuffer.wrap(data));
        source.close();
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void execIncomingFromCat() throws Exception {
        Path file = dir.resolve("stream.bin");
        byte[] data = pattern(SIZE, 4);
        Files.write(file, data);
        try (MigrationListener listener = listen("exec:cat '" + file + "'");
                MigrationChannel destination = listener.accept()) {
            assertEquals(List.of(), listener.addresses());
            assertTrue(destination.readable());
            assertFalse(destination.writable());
            assertArrayEquals(data, receive(destination, data.length));
            assertEndOfStream(destination);
        }
    }

    @Test
    void execThroughTwoCommands() throws Exception {
        // The outgoing command's output is the incoming command's input: a pipe between two JVMs' worth of exec.
        Path file = dir.resolve("relay.bin");
        byte[] data = pattern(SIZE, 5);
        try (MigrationChannel source = connect("exec:gzip -1 > '" + file + "'")) {
            send(source, data);
        }
        try (MigrationListener listener = listen("exec:gzip -dc '" + file + "'");
                MigrationChannel destination = listener.accept()) {
            assertArrayEquals(data, receive(destination, data.length));
            assertEndOfStream(destination);
        }
    }

    @Test
    void fileCreatesTruncatesAndReadsBack() throws Exception {
        Path file = dir.resolve("image");
        Files.write(file, pattern(2 * SIZE, 6));
        byte[] data = pattern(SIZE, 7);
        try (MigrationChannel source = connect("file:" + file)) {
            assertEquals("file:" + file, source.description());
            assertFalse(source.readable());
            send(source, data);
        }
        assertArrayEquals(data, Files.readAllBytes(file), "an existing file is truncated first");
        try (MigrationListener listener = listen("file:" + file);
                MigrationChannel destination = listener.accept()) {
            assertFalse(destination.writable());
            assertArrayEquals(data, receive(destination, data.length));
            assertEndOfStream(destination);
        }
    }

    @Test
    void fileCreatedPrivate() throws Exception {
        Path file = dir.resolve("new-image");
        try (MigrationChannel source = connect("file:" + file)) {
            send(source, pattern(100, 8));
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
    }

    @Test
    void fileWithOffset() throws Exception {
        Path file = dir.resolve("image");
        Files.write(file, pattern(8192, 9));
        byte[] data = pattern(SIZE, 10);
        try (MigrationChannel source = connect("file:" + file + ",offset=4096")) {
            assertEquals("file:" + file + ",offset=4096", source.description());
            send(source, data);
        }
        byte[] written = Files.readAllBytes(file);
        assertEquals(4096 + data.length, written.length);
        // QEMU 8.2 opens with O_TRUNC before seeking: what was before the offset is gone.
        assertArrayEquals(new byte[4096], Arrays.copyOf(written, 4096));
        assertArrayEquals(data, Arrays.copyOfRange(written, 4096, written.length));
        try (MigrationListener listener = listen("file:" + file + ",offset=4K");
                MigrationChannel destination = listener.accept()) {
            assertArrayEquals(data, receive(destination, data.length));
            assertEndOfStream(destination);
        }
    }

    @Test
    void fileOffsetBeyondTheEndReadsNothing() throws Exception {
        Path file = dir.resolve("short");
        Files.write(file, pattern(100, 11));
        try (MigrationListener listener = listen("file:" + file + ",offset=4096");
                MigrationChannel destination = listener.accept()) {
            assertEndOfStream(destination);
        }
    }

    @Test
    void emptyBufferReadReturnsZero() throws Exception {
        Path file = dir.resolve("f");
        Files.write(file, pattern(10, 12));
        try (MigrationListener listener = listen("file:" + file);
                MigrationChannel destination = listener.accept()) {
            assertEquals(0, destination.read(ByteBuffer.allocate(0)));
            assertEquals(10, destination.read(ByteBuffer.allocate(64)));
        }
    }

    @Test
    void wrongDirectionIsRefused() throws Exception {
        Path file = dir.resolve("f");
        try (MigrationChannel source = connect("file:" + file)) {
            IOException e = assertThrows(IOException.class, () -> source.read(ByteBuffer.allocate(1)));
            assertEquals("Channel file:" + file + " cannot be read from", e.getMessage());
        }
        try (MigrationListener listener = listen("file:" + file);
                MigrationChannel destination = listener.accept()) {
            IOException e = assertThrows(IOException.class, () -> destination.writeFully(ByteBuffer.allocate(1)));
            assertEquals("Channel file:" + file + " cannot be written to", e.getMessage());
        }
    }

    @Test
    void manyBuffersInOneWrite() throws Exception {
        // More buffers than IOV_MAX (1024): the gathering loop must go past the first batch.
        String path = dir.resolve("iov.sock").toString();
        byte[] data = pattern(3000 * 7, 13);
        ByteBuffer all = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer[] buffers = new ByteBuffer[3000];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = all.slice(i * 7, 7);
        }
        try (MigrationListener listener = listen("unix:" + path);
                MigrationChannel source = connect("unix:" + path);
                MigrationChannel destination = listener.accept()) {
            var sender = Transfers.background(() -> {
                source.writeFully(buffers);
                return null;
            });
            assertArrayEquals(data, receive(destination, data.length));
            Transfers.await(sender);
            for (ByteBuffer b : buffers) {
                assertFalse(b.hasRemaining());
            }
        }
    }

    static void assumeIpv6Loopback() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("no IPv6 loopback: " + e);
        }
    }

    /** Two connected sockets, as {@code socketpair()} would give. */
    static SocketChannel[] socketPair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            return new SocketChannel[] {a, b};
        }
    }

    /** A {@link ByteChannel} over two pipe ends: neither a socket nor able to gather. */
    record PipeEnds(Pipe.SourceChannel in, Pipe.SinkChannel out) implements ByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return in.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return out.write(src);
        }

        @Override
        public boolean isOpen() {
            return in.isOpen() && out.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
            out.close();
        }
    }
}
