package dev.tern.transport;

import static dev.tern.transport.RoundTripTest.connect;
import static dev.tern.transport.RoundTripTest.listen;
import static dev.tern.transport.RoundTripTest.port;
import static dev.tern.transport.Transfers.assertEndOfStream;
import static dev.tern.transport.Transfers.pattern;
import static dev.tern.transport.Transfers.receive;
import static dev.tern.transport.Transfers.roundTrip;
import static dev.tern.transport.Transfers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fifty open / transfer / close cycles of each kind leave the process as they found it: the
 * same descriptors in {@code /proc/self/fd}, no child processes, no FIFO directories.
 */
class LeakTest {
    private static final int CYCLES = 50;
    private static final int SIZE = 256 * 1024;

    @TempDir
    Path dir;

    enum Kind {
        TCP, UNIX, FD_SOCKET, EXEC_OUTGOING, EXEC_INCOMING, FILE, UNACCEPTED_LISTENERS, FAILED_CONNECTS;

        void cycle(Path dir, int i) throws Exception {
            switch (this) {
                case TCP -> {
                    try (MigrationListener listener = listen("tcp:127.0.0.1:0");
                            MigrationChannel source = connect("tcp:127.0.0.1:" + port(listener));
                            MigrationChannel destination = listener.accept()) {
                        roundTrip(source, destination, SIZE, i);
                    }
                }
                case UNIX -> {
                    String path = dir.resolve("leak.sock").toString();
                    try (MigrationListener listener = listen("unix:" + path);
                            MigrationChannel source = connect("unix:" + path);
                            MigrationChannel destination = listener.accept()) {
                        roundTrip(source, destination, SIZE, i);
                    }
                }
                case FD_SOCKET -> {
                    SocketChannel[] pair = RoundTripTest.socketPair();
                    FdSource fds = new HashMap<String, ByteChannel>(Map.of("a", pair[0], "b", pair[1]))::remove;
                    try (MigrationChannel source = Transports.connect(MigrationUri.parse("fd:a"), fds);
                            MigrationListener listener = Transports.listen(MigrationUri.parse("fd:b"), fds);
                            MigrationChannel destination = listener.accept()) {
                        roundTrip(source, destination, SIZE, i);
                    }
                }
                case EXEC_OUTGOING -> {
                    Path file = dir.resolve("out.bin");
                    byte[] data = pattern(SIZE, i);
                    try (MigrationChannel source = connect("exec:cat > '" + file + "'")) {
                        send(source, data);
                    }
                    assertArrayEquals(data, Files.readAllBytes(file));
                }
                case EXEC_INCOMING -> {
                    Path file = dir.resolve("in.bin");
                    byte[] data = pattern(SIZE, i);
                    Files.write(file, data);
                    try (MigrationListener listener = listen("exec:cat '" + file + "'");
                            MigrationChannel destination = listener.accept()) {
                        assertArrayEquals(data, receive(destination, SIZE));
                        assertEndOfStream(destination);
                    }
                }
                case FILE -> {
                    Path file = dir.resolve("image");
                    byte[] data = pattern(SIZE, i);
                    try (MigrationChannel source = connect("file:" + file + ",offset=512")) {
                        send(source, data);
                    }
                    try (MigrationListener listener = listen("file:" + file + ",offset=512");
                            MigrationChannel destination = listener.accept()) {
                        assertArrayEquals(data, receive(destination, SIZE));
                    }
                }
                case UNACCEPTED_LISTENERS -> {
                    listen("tcp::0").close();
                    listen("unix:" + dir.resolve("unaccepted.sock")).close();
                    listen("exec:cat /dev/zero").close();
                    Path file = Files.write(dir.resolve("unaccepted"), new byte[1]);
                    listen("file:" + file).close();
                }
                case FAILED_CONNECTS -> {
                    expectFailure(() -> connect("tcp:127.0.0.1:0"));
                    expectFailure(() -> connect("unix:" + dir.resolve("nobody.sock")));
                    expectFailure(() -> connect("file:" + dir.resolve("no/such/dir")));
                    expectFailure(() -> listen("file:" + dir.resolve("no/such/file")));
                    try (MigrationChannel source = connect("exec:exit 7")) {
                        expectFailure(() -> {
                            while (true) {
                                send(source, new byte[1 << 16]);
                            }
                        });
                    }
                }
            }
        }

        private static void expectFailure(ThrowingAction action) {
            try {
                action.run();
            } catch (IOException expected) {
                return;
            } catch (Exception other) {
                throw new AssertionError(other);
            }
            throw new AssertionError("no failure");
        }
    }

    @FunctionalInterface
    interface ThrowingAction {
        Object run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void nothingLeaks(Kind kind) throws Exception {
        // The first cycle loads classes and starts the JDK's own helpers (process reaper,
        // selector provider); measure after it.
        kind.cycle(dir, -1);
        long descriptors = openDescriptors();
        long children = ProcessHandle.current().descendants().count();
        long fifoDirectories = fifoDirectories();
        for (int i = 0; i < CYCLES; i++) {
            kind.cycle(dir, i);
        }
        assertEquals(descriptors, openDescriptors(), "open descriptors");
        assertEquals(children, ProcessHandle.current().descendants().count(), "child processes");
        assertEquals(fifoDirectories, fifoDirectories(), "FIFO directories");
    }

    static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static long fifoDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(Fifo.DIRECTORY_PREFIX)).count();
        }
    }
}
