package dev.tern.transport;

import static dev.tern.transport.RoundTripTest.assumeIpv6Loopback;
import static dev.tern.transport.RoundTripTest.connect;
import static dev.tern.transport.RoundTripTest.listen;
import static dev.tern.transport.RoundTripTest.port;
import static dev.tern.transport.Transfers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.info.SocketAddress;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code migrate-incoming} opens: bound addresses, port ranges, accept and close. */
class ListenerTest {
    @TempDir
    Path dir;

    private static boolean ipv6Available() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A port something is listening on, held until the returned channel is closed. */
    private static ServerSocketChannel occupy(int port) throws IOException {
        ServerSocketChannel taken = ServerSocketChannel.open();
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return taken;
    }

    private static int portOf(ServerSocketChannel server) throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private static void assertListenFails(String uri, String message) {
        IOException e = assertThrows(IOException.class, () -> listen(uri).close());
        assertEquals(message, e.getMessage());
    }

    @Test
    void portZeroReportsTheBoundPort() throws Exception {
        try (MigrationListener listener = listen("tcp:127.0.0.1:0")) {
            int port = port(listener);
            assertNotEquals(0, port);
            assertEquals(List.of(SocketAddress.Inet.bound("127.0.0.1", port, false)), listener.addresses());
            try (MigrationChannel source = connect("tcp:127.0.0.1:" + port);
                    MigrationChannel destination = listener.accept()) {
                roundTrip(source, destination, 4096, 1);
            }
        }
    }

    @Test
    void anyHostListensOnBothFamilies() throws Exception {
        try (MigrationListener listener = listen("tcp::0")) {
            int port = port(listener);
            List<SocketAddress> expected = ipv6Available()
                    ? List.of(SocketAddress.Inet.bound("0.0.0.0", port, false), SocketAddress.Inet.bound("::", port, true))
                    : List.of(SocketAddress.Inet.bound("0.0.0.0", port, false));
            assertEquals(expected, listener.addresses());
            try (MigrationChannel source = connect("tcp:127.0.0.1:" + port);
                    MigrationChannel destination = listener.accept()) {
                roundTrip(source, destination, 4096, 2);
            }
        }
    }

    @Test
    void anyHostWithIpv4Only() throws Exception {
        for (String uri : List.of("tcp:0.0.0.0:0", "tcp::0,ipv4", "tcp::0,ipv6=off")) {
            try (MigrationListener listener = listen(uri)) {
                assertEquals(List.of(SocketAddress.Inet.bound("0.0.0.0", port(listener), false)), listener.addresses(), uri);
            }
        }
    }

    @Test
    void anyHostWithIpv6Only() throws Exception {
        assumeIpv6Loopback();
        try (MigrationListener listener = listen("tcp::0,ipv6=on")) {
            assertEquals(List.of(SocketAddress.Inet.bound("::", port(listener), true)), listener.addresses());
            try (MigrationChannel source = connect("tcp:[::1]:" + port(listener));
                    MigrationChannel destination = listener.accept()) {
                roundTrip(source, destination, 4096, 3);
            }
        }
    }

    @Test
    void familyOptionsFilterResolvedAddresses() {
        assertListenFails("tcp:127.0.0.1:0,ipv6=on",
                "address resolution failed for 127.0.0.1:0: Address family for hostname not supported");
        assertListenFails("tcp:127.0.0.1:0,ipv4=off",
                "address resolution failed for 127.0.0.1:0: Address family for hostname not supported");
        assertListenFails("tcp:127.0.0.1:0,ipv4=off,ipv6=off", "Cannot disable IPv4 and IPv6 at same time");
    }

    @Test
    void keepAliveIsRefusedOnListeningSockets() throws Exception {
        assertListenFails("tcp:127.0.0.1:0,keep-alive", "keep-alive option is not supported for passive sockets");
        assertListenFails("tcp:127.0.0.1:0,keep-alive=on", "keep-alive option is not supported for passive sockets");
        listen("tcp:127.0.0.1:0,keep-alive=off").close();
    }

    @Test
    void portRangeSkipsATakenPort() throws Exception {
        try (ServerSocketChannel taken = occupy(0)) {
            int first = portOf(taken);
            int last = Math.min(65535, first + 20);
            try (MigrationListener listener = listen("tcp:127.0.0.1:" + first + ",to=" + last)) {
                int port = port(listener);
                assertTrue(port > first && port <= last, port + " in (" + first + ", " + last + "]");
                assertEquals(List.of(SocketAddress.Inet.bound("127.0.0.1", port, false)), listener.addresses());
                try (MigrationChannel source = connect("tcp:127.0.0.1:" + port);
                        MigrationChannel destination = listener.accept()) {
                    roundTrip(source, destination, 4096, 4);
                }
            }
        }
    }

    @Test
    void portRangeTakesTheFirstPortWhenFree() throws Exception {
        int free;
        try (ServerSocketChannel probe = occupy(0)) {
            free = portOf(probe);
        }
        try (MigrationListener listener = listen("tcp:127.0.0.1:" + free + ",to=" + Math.min(65535, free + 5))) {
            assertEquals(free, port(listener));
        }
    }

    @Test
    void everyPortTaken() throws Exception {
        try (ServerSocketChannel taken = occupy(0)) {
            int port = portOf(taken);
            assertListenFails("tcp:127.0.0.1:" + port,
                    "Failed to find an available port for 127.0.0.1:" + port + ": Address already in use");
            assertListenFails("tcp:127.0.0.1:" + port + ",to=" + port,
                    "Failed to find an available port for 127.0.0.1:" + port + ": Address already in use");
            assertListenFails("tcp:127.0.0.1:" + port + ",to=" + (port - 1),
                    "Failed to find an available port for 127.0.0.1:" + port + "-" + (port - 1) + ": empty port range");
        }
    }

    @Test
    void bindFailureNamesTheAddress() {
        // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
        assertListenFails("tcp:192.0.2.1:0", "Failed to bind socket to 192.0.2.1:0: Cannot assign requested address");
    }

    @Test
    void eachAcceptTakesOneConnection() throws Exception {
        try (MigrationListener listener = listen("tcp:127.0.0.1:0");
                MigrationChannel first = connect("tcp:127.0.0.1:" + port(listener));
                MigrationChannel second = connect("tcp:127.0.0.1:" + port(listener));
                MigrationChannel acceptedFirst = listener.accept();
                MigrationChannel acceptedSecond = listener.accept()) {
            int firstPort = ((InetSocketAddress) first.socket().orElseThrow().getLocalAddress()).getPort();
            MigrationChannel toFirst = acceptedFirst.description().endsWith(":" + firstPort) ? acceptedFirst : acceptedSecond;
            MigrationChannel toSecond = toFirst == acceptedFirst ? acceptedSecond : acceptedFirst;
            roundTrip(first, toFirst, 100_000, 5);
            roundTrip(second, toSecond, 100_000, 6);
        }
    }

    @Test
    void closingTheListenerKeepsAcceptedChannels() throws Exception {
        MigrationListener listener = listen("tcp:127.0.0.1:0");
        try (MigrationChannel source = connect("tcp:127.0.0.1:" + port(listener));
                MigrationChannel destination = listener.accept()) {
            listener.close();
            roundTrip(source, destination, 100_000, 7);
        }
    }

    @Test
    void closeUnblocksAcceptOnTcp() throws Exception {
        closeUnblocksAccept(listen("tcp:127.0.0.1:0"));
    }

    @Test
    void closeUnblocksAcceptOnAnyHost() throws Exception {
        closeUnblocksAccept(listen("tcp::0"));
    }

    @Test
    void closeUnblocksAcceptOnUnix() throws Exception {
        closeUnblocksAccept(listen("unix:" + dir.resolve("a.sock")));
    }

    private static void closeUnblocksAccept(MigrationListener listener) throws Exception {
        Thread[] acceptor = new Thread[1];
        Future<MigrationChannel> accepting = Transfers.background(() -> {
            acceptor[0] = Thread.currentThread();
            return listener.accept();
        });
        while (acceptor[0] == null) {
            Thread.onSpinWait();
        }
        Blocking.awaitBlocked(acceptor[0]);
        listener.close();
        assertInstanceOf(AsynchronousCloseException.class, assertThrows(Exception.class, () -> Transfers.await(accepting)));
        assertThrows(AsynchronousCloseException.class, listener::accept);
        listener.close();
    }

    @Test
    void unixSocketFileLivesWithTheListener() throws Exception {
        Path path = dir.resolve("mig.sock");
        MigrationListener listener = listen("unix:" + path);
        assertTrue(Files.exists(path));
        listener.close();
        assertFalse(Files.exists(path));
    }

    @Test
    void staleUnixSocketIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "the JDK leaves the socket file behind, as a crashed process would");
        try (MigrationListener listener = listen("unix:" + path);
                MigrationChannel source = connect("unix:" + path);
                MigrationChannel destination = listener.accept()) {
            roundTrip(source, destination, 4096, 8);
        }
    }

    @Test
    void unixListenErrorsNameThePath() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        assertListenFails("unix:" + directory, "Failed to unlink socket " + directory + ": Is a directory");
        Path missing = dir.resolve("missing/mig.sock");
        assertListenFails("unix:" + missing, "Failed to bind socket to " + missing + ": No such file or directory");
        String tooLong = dir.resolve("x".repeat(120)).toString();
        assertListenFails("unix:" + tooLong, "UNIX socket path '" + tooLong + "' is too long");
    }

    @Test
    void singleChannelTransportsAcceptOnce() throws Exception {
        Path file = dir.resolve("image");
        Files.write(file, new byte[10]);
        try (MigrationListener listener = listen("file:" + file)) {
            assertEquals(List.of(), listener.addresses());
            try (MigrationChannel channel = listener.accept()) {
                assertEquals("file:" + file, channel.description());
                IOException again = assertThrows(IOException.class, listener::accept);
                assertEquals("file:" + file + " has a single channel, which was already accepted", again.getMessage());
            }
        }
    }

    @Test
    void closingAnUnacceptedFdListenerClosesTheChannel() throws Exception {
        SocketChannel[] pair = RoundTripTest.socketPair();
        try {
            MigrationListener listener = Transports.listen(MigrationUri.parse("fd:mig"),
                    new java.util.HashMap<String, java.nio.channels.ByteChannel>(Map.of("mig", pair[0]))::remove);
            listener.close();
            assertFalse(pair[0].isOpen());
            assertThrows(AsynchronousCloseException.class, listener::accept);
        } finally {
            pair[1].close();
        }
    }

    @Test
    void closingAnUnacceptedExecListenerEndsTheCommand() throws Exception {
        long before = ProcessHandle.current().descendants().count();
        Path marker = dir.resolve("ran");
        MigrationListener listener = listen("exec:touch '" + marker + "'; cat /dev/zero");
        listener.close();
        assertEquals(before, ProcessHandle.current().descendants().count());
        assertFalse(Files.exists(marker), "the command never got its stream, so it never ran");
        assertThrows(AsynchronousCloseException.class, listener::accept);
    }
}
