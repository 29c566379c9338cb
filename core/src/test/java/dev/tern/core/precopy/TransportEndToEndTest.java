package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStatus;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 section 2: a writing guest migrated over every transport, RAM equal byte for byte,
 * device state restored, both sides completed.
 */
@Timeout(120)
class TransportEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void tcpWithAnEphemeralPortReportedInSocketAddress() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.destination().migrateIncoming("tcp:127.0.0.1:0");
            MigrationInfo listening = pair.destination().queryMigrate();
            SocketAddress.Inet address = (SocketAddress.Inet) listening.socketAddress().orElseThrow().getFirst();
            assertEquals("127.0.0.1", address.host());
            assertTrue(Integer.parseInt(address.port()) > 0, "port 0 reported as the real port: " + address);
            assertTrue(listening.status().isEmpty(), "the destination has no status before a connection: " + listening);
            pair.source().migrate("tcp:127.0.0.1:" + address.port());
            pair.assertCompleted();
        }
    }

    @Test
    void unixSocket() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            String uri = "unix:" + dir.resolve("mig.sock");
            pair.destination().migrateIncoming(uri);
            SocketAddress.Unix address = (SocketAddress.Unix) pair.destination().queryMigrate().socketAddress()
                    .orElseThrow().getFirst();
            assertEquals(dir.resolve("mig.sock").toString(), address.path());
            pair.source().migrate(uri);
            pair.assertCompleted();
        }
    }

    @Test
    void fdOverAConnectedTcpPair() throws Exception {
        try (GuestPair pair = GuestPair.create();
                ServerSocketChannel server = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            pair.source().addFd("mig", a);
            pair.destination().addFd("mig", b);
            pair.destination().migrateIncoming("fd:mig");
            pair.source().migrate("fd:mig");
            pair.assertCompleted();
            assertTrue(!a.isOpen() && !b.isOpen(), "both ends closed after the migration");
        }
    }

    @Test
    void fdOverAUnixSocketPairWithReturnPath() throws Exception {
        Path socket = dir.resolve("pair.sock");
        try (GuestPair pair = GuestPair.create();
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                        .bind(UnixDomainSocketAddress.of(socket))) {
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            SocketChannel b = server.accept();
            pair.source().setCapabilities(GuestPair.on(dev.tern.api.MigrationCapability.RETURN_PATH));
            pair.source().addFd("out", a);
            pair.destination().addFd("in", b);
            pair.destination().migrateIncoming("fd:in");
            pair.source().migrate("fd:out");
            pair.assertCompleted();
        }
    }

    @Test
    void execIntoAFileThenExecOutOfIt() throws Exception {
        Path file = dir.resolve("stream via exec");
        String quoted = "'" + file + "'";
        try (GuestPair pair = GuestPair.create()) {
            // The source migrates live into the file: it then holds the stream of the stop point.
            pair.source().migrate("exec:cat > " + quoted);
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            assertTrue(Files.size(file) > GuestPair.SWEEP_TO - GuestPair.SWEEP_FROM, "the swept pages are in the file");
            pair.destination().migrateIncoming("exec:cat " + quoted);
            pair.assertCompleted();
            Migrations.await("exec children reaped", pair.destination(),
                    () -> ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive));
        }
    }

    @Test
    void file() throws Exception {
        Path file = dir.resolve("stream");
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate("file:" + file);
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            try (FileChannel f = FileChannel.open(file)) {
                ByteBuffer magic = ByteBuffer.allocate(4);
                f.read(magic, 0);
                assertEquals(0x5145564D, magic.getInt(0), "the stream starts at offset 0");
            }
            pair.destination().migrateIncoming("file:" + file);
            pair.assertCompleted();
        }
    }

    @Test
    void fileAtAnOffset() throws Exception {
        Path file = dir.resolve("stream at 4096");
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate("file:" + file + ",offset=4096");
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer head = ByteBuffer.allocate(4100);
                while (head.hasRemaining() && f.read(head, head.position()) > 0) {
                    // read the first 4100 bytes
                }
                for (int i = 0; i < 4096; i++) {
                    assertEquals(0, head.get(i), "bytes before the offset are zero");
                }
                assertEquals(0x5145564D, head.getInt(4096), "the stream starts at the offset");
            }
            pair.destination().migrateIncoming("file:" + file + ",offset=4096");
            pair.assertCompleted();
        }
    }

    @Test
    void fileWrittenWithOffsetIsNotAStreamAtOffsetZero() throws Exception {
        Path file = dir.resolve("shifted");
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate("file:" + file + ",offset=4096");
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            pair.destination().migrateIncoming("file:" + file);
            assertEquals(MigrationStatus.FAILED, GuestPair.awaitDestinationSettled(pair.destination()));
            assertEquals("Not a migration stream", GuestPair.errorOf(pair.destination()));
            pair.assertDestinationNotStarted();
        }
    }
}
