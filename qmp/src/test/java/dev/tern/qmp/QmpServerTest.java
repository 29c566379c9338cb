package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationPassEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.UnplugPrimaryEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The unix-socket server: greeting, framing, events, several clients, slow clients, close. */
@Timeout(60)
class QmpServerTest {
    private static final Instant AT = Instant.ofEpochSecond(100, 7000);

    @TempDir
    Path dir;

    private final RecordingControl vm = new RecordingControl();
    private QmpServer server;

    private Path socket() {
        return dir.resolve("qmp.sock");
    }

    private QmpServer start() throws IOException {
        server = QmpServer.start(socket(), new QmpDispatcher(vm));
        return server;
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
        assertEquals(List.of(), qmpThreads(), "threads left after close()");
    }

    private static List<String> qmpThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("tern-qmp") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void greetsWithQemu72AndOob() throws IOException {
        start();
        try (QmpTestClient c = new QmpTestClient(socket())) {
            String greeting = c.rawLine();
            assertTrue(greeting.matches("\\{\"QMP\": \\{\"version\": \\{\"qemu\": \\{\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                    + "\"package\": \"tern-[^\"]+\"}, \"capabilities\": \\[\"oob\"]}}\r\n"), greeting);
        }
    }

    @Test
    void requestsMaySharePacketsAndSpanLines() throws IOException {
        start();
        try (QmpTestClient c = new QmpTestClient(socket())) {
            c.line();
            c.send("{\"execute\": \"qmp_capabilities\", \"id\": 1}{\"execute\":\"stop\",\"id\":2}  {\"execute\"");
            assertEquals("{\"return\": {}, \"id\": 1}", c.line());
            assertEquals("{\"return\": {}, \"id\": 2}", c.line());
            c.send(":\n  \"cont\",\r\n \"id\": 3}\n");
            assertEquals("{\"return\": {}, \"id\": 3}", c.line());
            assertEquals(List.of("stop()", "cont()"), vm.calls);
        }
    }

    @Test
    void malformedJsonIsReportedAndTheNextLineStillWorks() throws IOException {
        start();
        try (QmpTestClient c = new QmpTestClient(socket())) {
            c.negotiated();
            c.send("{\"execute\": stop} trailing garbage\n{\"execute\": \"cont\", \"id\": \"after\"}\n");
            String error = c.line();
            assertTrue(error.startsWith("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, "), error);
            assertFalse(error.contains("\"id\""), error);
            assertEquals("{\"return\": {}, \"id\": \"after\"}", c.line());
            c.send("[1, 2]\n");
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}", c.line());
            assertEquals(List.of("cont()"), vm.calls);
        }
    }

    @Test
    void eventsReachOnlyNegotiatedClientsBetweenReplies() throws IOException {
        start();
        try (QmpTestClient negotiated = new QmpTestClient(socket()); QmpTestClient fresh = new QmpTestClient(socket())) {
            negotiated.negotiated();
            fresh.line();
            vm.emit(new MigrationStatusEvent(AT, MigrationStatus.SETUP));
            assertEquals("{\"timestamp\": {\"seconds\": 100, \"microseconds\": 7}, \"event\": \"MIGRATION\", "
                    + "\"data\": {\"status\": \"setup\"}}", negotiated.line());
            negotiated.send("{\"execute\": \"stop\"}\n");
            assertEquals("{\"return\": {}}", negotiated.line());
            vm.emit(new MigrationPassEvent(AT, 1));
            assertEquals("MIGRATION_PASS", negotiated.json().get("event").asText());
            // the fresh client got no event: its next line is the reply to its own request
            fresh.send("{\"execute\": \"qmp_capabilities\"}\n");
            assertEquals("{\"return\": {}}", fresh.line());
            vm.emit(new MigrationPassEvent(AT, 2));
            assertEquals(2, fresh.json().at("/data/pass").asInt());
            assertEquals(2, negotiated.json().at("/data/pass").asInt());
        }
    }

    @Test
    void servesClientsOneAfterAnotherEachNegotiating() throws IOException {
        start();
        for (int i = 0; i < 5; i++) {
            try (QmpTestClient c = new QmpTestClient(socket())) {
                assertTrue(c.line().startsWith("{\"QMP\": "));
                c.send("{\"execute\": \"stop\"}\n");
                assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                        + "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", c.line());
                c.negotiatedAfterGreeting();
                c.send("{\"execute\": \"stop\", \"id\": " + i + "}\n");
                assertEquals("{\"return\": {}, \"id\": " + i + "}", c.line());
            }
        }
        assertEquals(5, vm.calls.size());
    }

    @Test
    void oneClientAtATimeWhenLimitedToOne() throws IOException {
        server = QmpServer.start(socket(), new QmpDispatcher(vm), new QmpServer.Options(1, 64));
        QmpTestClient first = new QmpTestClient(socket());
        first.negotiated();
        QmpTestClient second = new QmpTestClient(socket());
        // the second waits in the backlog; it is greeted only once the first has gone
        second.send("{\"execute\": \"qmp_capabilities\"}\n");
        first.send("{\"execute\": \"stop\"}\n");
        assertEquals("{\"return\": {}}", first.line());
        first.close();
        assertTrue(second.line().startsWith("{\"QMP\": "));
        assertEquals("{\"return\": {}}", second.line());
        second.close();
    }

    @Test
    void endOfInputStillAnswersQueuedRequests() throws IOException {
        start();
        try (QmpTestClient c = new QmpTestClient(socket())) {
            c.send("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"stop\"}\n{\"execute\": \"cont\"}\n");
            c.shutdownOutput();
            c.line();
            assertEquals("{\"return\": {}}", c.line());
            assertEquals("{\"return\": {}}", c.line());
            assertEquals("{\"return\": {}}", c.line());
            assertNull(c.rawLine());
        }
    }

    @Test
    void outOfBandCommandOvertakesARunningOne() throws Exception {
        start();
        vm.migrateGate = new CountDownLatch(1);
        try (QmpTestClient c = new QmpTestClient(socket())) {
            c.line();
            c.send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n");
            assertEquals("{\"return\": {}}", c.line());
            c.send("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp:h:1\"}, \"id\": \"m\"}\n");
            c.send("{\"exec-oob\": \"migrate-pause\", \"id\": \"p\"}\n");
            assertEquals("{\"return\": {}, \"id\": \"p\"}", c.line());
            vm.migrateGate.countDown();
            assertEquals("{\"return\": {}, \"id\": \"m\"}", c.line());
        }
    }

    @Test
    void aClientThatDoesNotReadIsDisconnectedWithoutBlockingTheEngine() throws IOException {
        server = QmpServer.start(socket(), new QmpDispatcher(vm), new QmpServer.Options(4, 8));
        int emitted = 0;
        try (QmpTestClient slow = new QmpTestClient(socket())) {
            slow.negotiated();
            String padding = "x".repeat(1000);
            // the engine's thread: emit never waits for the client, so this loop always ends
            while (emitted < 200_000 && server.clientCount() > 0) {
                vm.emit(new UnplugPrimaryEvent(AT, padding + emitted));
                emitted++;
            }
            int received = 0;
            while (slow.rawLine() != null) {
                received++;
            }
            assertTrue(received < emitted, "slow client got all " + emitted + " events");
        }
        try (QmpTestClient next = new QmpTestClient(socket())) {
            next.negotiated();
            vm.emit(new UnplugPrimaryEvent(AT, "net0"));
            assertEquals("net0", next.json().at("/data/device-id").asText());
        }
    }

    @Test
    void closeFlushesRepliesThenEndsEveryConnectionAndThread() throws Exception {
        CountDownLatch quit = new CountDownLatch(1);
        server = QmpServer.start(socket(), new QmpDispatcher(vm, quit::countDown));
        QmpTestClient quitter = new QmpTestClient(socket()).negotiated();
        QmpTestClient idle = new QmpTestClient(socket()).negotiated();
        QmpTestClient unnegotiated = new QmpTestClient(socket());
        unnegotiated.line();
        quitter.send("{\"execute\": \"quit\"}\n");
        assertTrue(quit.await(30, TimeUnit.SECONDS));
        server.close();
        assertEquals("{\"return\": {}}", quitter.line());
        assertNull(quitter.rawLine());
        assertNull(idle.rawLine());
        assertNull(unnegotiated.rawLine());
        assertFalse(Files.exists(socket()));
        assertEquals(List.of(), qmpThreads());
        assertTrue(vm.listeners.isEmpty(), "event listener still registered");
        quitter.close();
        idle.close();
        unnegotiated.close();
        server.close();
    }

    @Test
    void closeLeavesNoSocketDescriptorOpen() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "no /proc/self/fd");
        int before = openSockets(fds);
        start();
        QmpTestClient a = new QmpTestClient(socket()).negotiated();
        QmpTestClient b = new QmpTestClient(socket());
        b.line();
        a.send("{\"execute\": \"stop\"}\n");
        assertEquals("{\"return\": {}}", a.line());
        server.close();
        a.close();
        b.close();
        assertEquals(before, openSockets(fds));
    }

    private static int openSockets(Path fds) throws IOException {
        int sockets = 0;
        try (var entries = Files.list(fds)) {
            for (Path fd : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException e) {
                    // the listing's own descriptor is gone by now
                }
            }
        }
        return sockets;
    }

    @Test
    void closeWithNoClientEverConnected() throws IOException {
        start().close();
        assertEquals(List.of(), qmpThreads());
        assertFalse(Files.exists(socket()));
    }

    @Test
    void replacesAStaleSocketButNeverAFile() throws IOException {
        start().close();
        QmpServer.start(socket(), new QmpDispatcher(vm)).close();
        try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));
        start();
        try (QmpTestClient c = new QmpTestClient(socket())) {
            assertTrue(c.line().startsWith("{\"QMP\""));
        }
        server.close();
        server = null;
        Path file = dir.resolve("file");
        Files.writeString(file, "keep me");
        assertThrows(IOException.class, () -> QmpServer.start(file, new QmpDispatcher(vm)));
        assertEquals("keep me", Files.readString(file));
    }
}
