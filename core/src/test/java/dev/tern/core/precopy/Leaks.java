package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a migration could leak: Tern's threads (names starting {@code tern-}), this process's
 * open file descriptors, and child processes.
 *
 * @param threads the names of live {@code tern-} threads, sorted
 * @param fds what the entries of {@code /proc/self/fd} point to
 * @param children live child processes
 */
record Leaks(List<String> threads, List<String> fds, long children) {
    private static final long SETTLE_NANOS = 10_000_000_000L;

    static {
        // The JDK keeps one socket of its own open from the first socket a process makes; make
        // it before the first snapshot so that it is not counted as a leak.
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            if (!client.isConnected() || !accepted.isConnected()) {
                throw new IllegalStateException("loopback connection failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Leaks snapshot() {
        List<String> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("tern-"))
                .sorted()
                .toList();
        List<String> fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            // The listing's own descriptor is in the listing: it is there every time (and gone
            // by the time its target is read, hence the placeholder).
            fds = entries.map(Leaks::target).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        return new Leaks(threads, fds, children);
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "(closed while listing)";
        }
    }

    /** Waits a little for threads and processes to end, then asserts everything is as it was. */
    static void assertNoneSince(Leaks before) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        Leaks now = snapshot();
        while (!now.equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = snapshot();
        }
        assertEquals(before, now, "threads, descriptors and child processes after the migration");
    }
}
