package dev.tern.transport;

import static dev.tern.transport.RoundTripTest.assumeIpv6Loopback;
import static dev.tern.transport.RoundTripTest.connect;
import static dev.tern.transport.RoundTripTest.listen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.ErrorClass;
import dev.tern.api.UnavailableFeatureException;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every failure names what failed, in QEMU's words where QEMU has them. */
class ErrorMessageTest {
    private static final String MISSING_COMMAND = "/nonexistent/tern-no-such-command";

    @TempDir
    Path dir;

    private static void assertConnectFails(String uri, String message) {
        IOException e = assertThrows(IOException.class, () -> connect(uri).close());
        assertEquals(message, e.getMessage());
    }

    /** A port nothing listens on (it was just released). */
    private static int closedPort(String host) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    @Test
    void tcpConnectionRefused() throws Exception {
        int port = closedPort("127.0.0.1");
        assertConnectFails("tcp:127.0.0.1:" + port, "Failed to connect to '127.0.0.1:" + port + "': Connection refused");
        // The qtest /migration/bad_dest case.
        assertConnectFails("tcp:127.0.0.1:0", "Failed to connect to '127.0.0.1:0': Connection refused");
    }

    @Test
    void tcpConnectionRefusedOverIpv6() throws Exception {
        assumeIpv6Loopback();
        int port = closedPort("::1");
        // QEMU prints the host without brackets.
        assertConnectFails("tcp:[::1]:" + port, "Failed to connect to '::1:" + port + "': Connection refused");
    }

    @Test
    void tcpNameResolution() {
        assertConnectFails("tcp::4444", "address resolution failed for :4444: Name or service not known");
        IOException e = assertThrows(IOException.class, () -> connect("tcp:no-such-host.invalid:4444"));
        assertTrue(e.getMessage().startsWith("address resolution failed for no-such-host.invalid:4444: "), e.getMessage());
        assertConnectFails("tcp:127.0.0.1:4444,ipv4=off,ipv6=off", "Cannot disable IPv4 and IPv6 at same time");
        assertConnectFails("tcp:127.0.0.1:4444,ipv6",
                "address resolution failed for 127.0.0.1:4444: Address family for hostname not supported");
    }

    @Test
    void keepAliveIsSetWhenConnecting() throws Exception {
        try (MigrationListener listener = listen("tcp:127.0.0.1:0");
                MigrationChannel plain = connect("tcp:127.0.0.1:" + RoundTripTest.port(listener));
                MigrationChannel kept = connect("tcp:127.0.0.1:" + RoundTripTest.port(listener) + ",keep-alive")) {
            assertEquals(false, plain.socket().orElseThrow().getOption(java.net.StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(true, kept.socket().orElseThrow().getOption(java.net.StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(true, kept.socket().orElseThrow().getOption(java.net.StandardSocketOptions.TCP_NODELAY));
            try (MigrationChannel accepted = listener.accept()) {
                assertEquals(true, accepted.socket().orElseThrow().getOption(java.net.StandardSocketOptions.TCP_NODELAY));
            }
        }
    }

    @Test
    void writingToAPeerThatWentAway() throws Exception {
        try (MigrationListener listener = listen("tcp:127.0.0.1:0");
                MigrationChannel source = connect("tcp:127.0.0.1:" + RoundTripTest.port(listener))) {
            // Unread data in the peer's buffer makes its close a reset.
            MigrationChannel destination = listener.accept();
            source.writeFully(ByteBuffer.wrap(new byte[100]));
            destination.close();
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            IOException e = assertThrows(IOException.class, () -> {
                while (true) {
                    source.writeFully(chunk.clear());
                }
            });
            assertTrue(e.getMessage().equals("Unable to write to socket: Connection reset by peer")
                    || e.getMessage().equals("Unable to write to socket: Broken pipe"), e.getMessage());
        }
    }

    @Test
    void unixConnectErrorsNameThePath() throws Exception {
        Path missing = dir.resolve("missing.sock");
        assertConnectFails("unix:" + missing, "Failed to connect to '" + missing + "': No such file or directory");
        Path notASocket = Files.write(dir.resolve("plain"), new byte[1]);
        assertConnectFails("unix:" + notASocket, "Failed to connect to '" + notASocket + "': Connection refused");
        String tooLong = dir.resolve("x".repeat(120)).toString();
        assertConnectFails("unix:" + tooLong, "UNIX socket path '" + tooLong + "' is too long");
    }

    @Test
    void fdNotRegistered() {
        assertConnectFails("fd:nope", "File descriptor named 'nope' has not been found");
        IOException e = assertThrows(IOException.class, () -> listen("fd:nope"));
        assertEquals("File descriptor named 'nope' has not been found", e.getMessage());
    }

    @Test
    void fileOpenErrors() throws Exception {
        Path missing = dir.resolve("missing/image");
        assertConnectFails("file:" + missing, "Unable to open " + missing + ": No such file or directory");
        IOException incoming = assertThrows(IOException.class, () -> listen("file:" + missing));
        assertEquals("Unable to open " + missing + ": No such file or directory", incoming.getMessage());
        assertConnectFails("file:", "Unable to open : No such file or directory");
        assertConnectFails("file:" + dir, "Unable to open " + dir + ": Is a directory");
        Path file = Files.write(dir.resolve("image"), new byte[1]);
        assertConnectFails("file:" + file + ",offset=8E",
                "Unable to seek to offset 9223372036854775808 whence 0 in file: Invalid argument");
    }

    @Test
    void fileOffsetOnAPipe() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Read-write: opening the FIFO for writing then needs no reader.
        var holder = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
        try {
            assertConnectFails("file:" + fifo + ",offset=1K", "Unable to seek to offset 1024 whence 0 in file: Illegal seek");
        } finally {
            holder.close();
        }
    }

    @Test
    void commandThatCannotStartOutgoing() throws Exception {
        try (MigrationChannel source = connect("exec:" + MISSING_COMMAND)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            IOException e = assertThrows(IOException.class, () -> {
                while (true) {
                    source.writeFully(chunk.clear());
                }
            });
            String expected = "Unable to write to command: Broken pipe (exec:" + MISSING_COMMAND + " exited with status 127: ";
            assertTrue(e.getMessage().startsWith(expected), e.getMessage());
            assertTrue(e.getMessage().contains(MISSING_COMMAND + ": not found"), e.getMessage());
        }
    }

    @Test
    void commandThatCannotStartIncoming() throws Exception {
        try (MigrationListener listener = listen("exec:" + MISSING_COMMAND);
                MigrationChannel destination = listener.accept()) {
            IOException e = assertThrows(IOException.class, () -> destination.read(ByteBuffer.allocate(16)));
            String expected = "Unable to read from command: exec:" + MISSING_COMMAND + " exited with status 127: ";
            assertTrue(e.getMessage().startsWith(expected), e.getMessage());
            assertTrue(e.getMessage().contains(MISSING_COMMAND + ": not found"), e.getMessage());
        }
    }

    @Test
    void commandFailingAfterItsOutputIsAnError() throws Exception {
        try (MigrationListener listener = listen("exec:printf abc; echo broken >&2; exit 3");
                MigrationChannel destination = listener.accept()) {
            ByteBuffer into = ByteBuffer.allocate(16);
            while (into.position() < 3) {
                destination.read(into);
            }
            IOException e = assertThrows(IOException.class, () -> destination.read(into));
            assertEquals("Unable to read from command: exec:printf abc; echo broken >&2; exit 3 exited with status 3: broken",
                    e.getMessage());
        }
    }

    @Test
    void commandStderrGoesToTheLoggerAtDebug() throws Exception {
        Logger logger = Logger.getLogger(ExecChild.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level previous = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
        try (MigrationListener listener = listen("exec:echo to-stderr >&2");
                MigrationChannel destination = listener.accept()) {
            Transfers.assertEndOfStream(destination);
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(previous);
        }
        synchronized (handler) {
            assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.FINE
                    && r.getMessage().startsWith("exec:echo to-stderr >&2 [")
                    && r.getMessage().endsWith("]: to-stderr")), records.toString());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vsock:3:4444             | vsock migration is not available in Tern: the JDK has no AF_VSOCK sockets",
        "rdma:127.0.0.1:4444      | RDMA migration is not available in Tern: there is no RDMA transport on the JVM",
        "tcp:127.0.0.1:4444,mptcp | MPTCP migration is not available in Tern: the JDK has no IPPROTO_MPTCP sockets",
    })
    void unsupportedSchemesAreRefused(String uri, String reason) {
        MigrationUri parsed = MigrationUri.parse(uri);
        assertEquals(reason, parsed.unsupportedReason().orElseThrow());
        UnavailableFeatureException out = assertThrows(UnavailableFeatureException.class,
                () -> Transports.connect(parsed, name -> null));
        assertEquals(reason, out.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, out.errorClass());
        UnavailableFeatureException in = assertThrows(UnavailableFeatureException.class,
                () -> Transports.listen(parsed, name -> null));
        assertEquals(reason, in.getMessage());
    }

    @Test
    void tcpOverMptcpOffIsPlainTcp() throws Exception {
        listen("tcp:127.0.0.1:0,mptcp=off").close();
    }
}
