package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import dev.tern.core.guest.ReferenceGuest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3 section 6: whatever goes wrong, the source guest keeps running with nothing lost, a
 * destination never runs a guest from a partial or rejected stream, nothing is leaked, and a
 * retry to a fresh destination completes.
 */
@Timeout(120)
class FailureSafetyTest {
    /** Fewer bytes than any stream of the test guest (its 30 MiB sweep goes at least once). */
    private static final long SHORTER_THAN_ANY_STREAM = 16L << 20;
    /** Reproducible from the test names: every position is in the name. */
    private static final Random RANDOM = new Random(Long.getLong("tern.test.seed", System.nanoTime()));

    @TempDir
    Path dir;

    static Stream<Arguments> cutPositions() {
        List<Arguments> all = new ArrayList<>();
        // In the header, in the configuration, right after it, a page in, then anywhere.
        for (long n : new long[] {0, 3, 9, 40, 4096}) {
            all.add(Arguments.of(n, n % 2 == 0));
        }
        for (int i = 0; i < 3; i++) {
            all.add(Arguments.of(RANDOM.nextLong(SHORTER_THAN_ANY_STREAM), i % 2 == 0));
        }
        return all.stream();
    }

    /** With the return path on, the destination also has autostart on: it must still not run. */
    @ParameterizedTest(name = "cut after {0} bytes, return path {1}")
    @MethodSource("cutPositions")
    void connectionKilled(long cutAfter, boolean returnPath) throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            if (returnPath) {
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
                pair.destination().cont(); // autostart on: a complete stream would start the guest
            }
            Leaks before = Leaks.snapshot();
            pair.destination().migrateIncoming("tcp:127.0.0.1:0");
            try (FaultProxy proxy = FaultProxy.cutAfter(cutAfter, GuestPair.port(pair.destination()))) {
                pair.source().migrate(proxy.uri());
                MigrationInfo end = GuestPair.awaitFinal(pair.source());
                assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
                assertFalse(GuestPair.errorOf(pair.source()).isBlank());
                assertTrue(proxy.faulted(), "the stream reached the cut");
                pair.assertDestinationNotStarted();
            }
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    static Stream<Arguments> flipPositions() {
        List<Arguments> all = new ArrayList<>();
        // The version, the configuration marker, the machine type's length (its high byte
        // makes it 2 GiB), the name, then anywhere in the RAM.
        for (long p : new long[] {7, 8, 9, 12, 14}) {
            all.add(Arguments.of(p, 0x80));
        }
        for (int i = 0; i < 5; i++) {
            all.add(Arguments.of(8 + RANDOM.nextLong(SHORTER_THAN_ANY_STREAM - 8), 1 + RANDOM.nextInt(255)));
        }
        return all.stream();
    }

    /**
     * A flipped byte may land in page contents, which no stream check can see (QEMU's format
     * has no checksum): then both sides complete. Anywhere else the destination must refuse
     * the stream, and with the return path on the source must learn it and run on.
     */
    @ParameterizedTest(name = "flip byte {0} with 0x{1}")
    @MethodSource("flipPositions")
    void corruptedByte(long position, int mask) throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            Leaks before = Leaks.snapshot();
            pair.destination().migrateIncoming("tcp:127.0.0.1:0");
            try (FaultProxy proxy = FaultProxy.flipAt(position, mask, GuestPair.port(pair.destination()))) {
                pair.source().migrate(proxy.uri());
                MigrationInfo end = GuestPair.awaitFinal(pair.source());
                MigrationStatus dst = GuestPair.awaitDestinationSettled(pair.destination());
                assertTrue(proxy.faulted(), "the stream reached the flip");
                if (dst == MigrationStatus.COMPLETED) {
                    assertEquals(MigrationStatus.COMPLETED, end.status().orElseThrow(),
                            "the destination sent SHUT(0): " + end);
                    assertEquals(RunState.PAUSED, pair.destination().runState());
                    return;
                }
                assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(),
                        "the destination failed: " + GuestPair.errorOf(pair.destination()) + "; source " + end);
                pair.assertDestinationNotStarted();
            }
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    /** Where the EOF record of a stream file is: just before the VMDESCRIPTION that ends it. */
    private static long eofPosition(byte[] stream) {
        byte[] json = "{\"page_size\"".getBytes(StandardCharsets.US_ASCII);
        for (int i = stream.length - json.length; i >= 6; i--) {
            if (java.util.Arrays.equals(stream, i, i + json.length, json, 0, json.length)) {
                assertEquals(6, stream[i - 5], "VMDESCRIPTION record");
                assertEquals(0, stream[i - 6], "EOF record");
                return i - 6;
            }
        }
        throw new AssertionError("no VMDESCRIPTION in the stream");
    }

    @Test
    void truncatedStreamIsNeverRun() throws Exception {
        Path full = dir.resolve("full");
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate("file:" + full);
            Migrations.awaitStatus(pair.source(), MigrationStatus.COMPLETED);
            byte[] stream = Files.readAllBytes(full);
            long eof = eofPosition(stream);
            // Cut anywhere up to and including the EOF record: the destination must refuse.
            List<Long> lengths = new ArrayList<>(List.of(0L, 4L, 8L, 9L, 30L, eof - 1, eof));
            LongStream.generate(() -> RANDOM.nextLong(eof)).limit(3).forEach(lengths::add);
            for (long length : lengths) {
                Path cut = write(stream, length);
                pair.discardDestination();
                pair.newDestination();
                Leaks before = Leaks.snapshot();
                pair.destination().migrateIncoming("file:" + cut);
                pair.assertDestinationNotStarted();
                assertFalse(GuestPair.errorOf(pair.destination()).isBlank(), "cut at " + length);
                Leaks.assertNoneSince(before);
            }
            // Cut inside the VMDESCRIPTION only: QEMU ignores it, the device state is complete.
            for (long length : new long[] {eof + 1, eof + 3, stream.length - 1}) {
                Path cut = write(stream, length);
                pair.discardDestination();
                pair.newDestination();
                pair.destination().migrateIncoming("file:" + cut);
                pair.assertCompleted();
            }
        }
    }

    private Path write(byte[] stream, long length) throws java.io.IOException {
        Path cut = dir.resolve("cut-" + length);
        try (FileChannel f = FileChannel.open(cut, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            f.write(ByteBuffer.wrap(stream, 0, (int) length));
        }
        return cut;
    }

    @Test
    void destinationWithoutTheSourcesBlock() throws Exception {
        ReferenceGuest.Builder other = ReferenceGuest.builder().ramBlock("other.ram", GuestPair.RAM).vcpus(1)
                .workload(dev.tern.core.guest.Workload.sequentialSweep(GuestPair.SWEEP_FROM, GuestPair.SWEEP_TO));
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(), other)) {
            refused(pair, "Unknown ramblock \"pc.ram\", cannot accept migration", GuestPair.sweeping());
        }
    }

    @Test
    void destinationBlockOfAnotherSize() throws Exception {
        ReferenceGuest.Builder bigger = ReferenceGuest.builder().ramBlock("pc.ram", GuestPair.RAM + (4 << 20))
                .vcpus(1).workload(dev.tern.core.guest.Workload.sequentialSweep(GuestPair.SWEEP_FROM,
                        GuestPair.SWEEP_TO));
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(), bigger)) {
            refused(pair, "Size mismatch: pc.ram: 0x2000000 != 0x2400000: Invalid argument", GuestPair.sweeping());
        }
    }

    @Test
    void destinationWithAnotherMachineType() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().machineType("pc-q35-7.2"),
                GuestPair.sweeping().machineType("pc-i440fx-7.2"))) {
            refused(pair, "Machine type received is 'pc-q35-7.2' and local is 'pc-i440fx-7.2'",
                    GuestPair.sweeping().machineType("pc-q35-7.2"));
        }
    }

    @Test
    void sourceDeviceTheDestinationDoesNotHave() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> ExtendedGuest.withDevice(g, new ExtendedGuest.CounterDevice(7, false)),
                GuestPair.sweeping(), g -> g)) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            pair.source().migrate(pair.listenTcp());
            pair.assertDestinationNotStarted();
            assertEquals("Unknown savevm section or instance 'test-counter' 0. Make sure that your current VM setup"
                    + " matches your saved VM setup, including any hotplugged devices",
                    GuestPair.errorOf(pair.destination()));
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            pair.assertSourceSurvived();
        }
    }

    /**
     * The destination refuses with {@code error}; with the return path the source fails and runs
     * on, and a retry to a destination built with {@code matching} completes.
     */
    private static void refused(GuestPair pair, String error, ReferenceGuest.Builder matching) throws Exception {
        pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
        Leaks before = Leaks.snapshot();
        pair.source().migrate(pair.listenTcp());
        pair.assertDestinationNotStarted();
        assertEquals(error, GuestPair.errorOf(pair.destination()));
        MigrationInfo end = GuestPair.awaitFinal(pair.source());
        assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
        pair.assertSourceSurvived();
        Leaks.assertNoneSince(before);
        pair.assertRetryCompletesTo(matching);
    }

    @Test
    void cancelWhileTheDestinationDoesNotRead() throws Exception {
        try (GuestPair pair = GuestPair.create();
                ServerSocketChannel deaf = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Leaks before = Leaks.snapshot();
            pair.source().migrate("tcp:127.0.0.1:" + ((InetSocketAddress) deaf.getLocalAddress()).getPort());
            try (SocketChannel accepted = deaf.accept()) {
                assertTrue(accepted.isConnected());
                awaitStuck(pair.source());
                MigrationStatus stuckIn = GuestPair.status(pair.source());
                assertTrue(stuckIn == MigrationStatus.SETUP || stuckIn == MigrationStatus.ACTIVE, stuckIn.qapiName());
                pair.source().cancel();
                MigrationInfo end = GuestPair.awaitFinal(pair.source());
                assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
                assertTrue(end.errorDesc().isEmpty(), end.toString());
            }
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    /**
     * A connect that blocks (a Unix listener whose backlog is full): cancel moves to cancelling
     * at once but, as in QEMU, the connection attempt runs on; when it fails the migration ends
     * cancelled (not failed). The guest runs throughout.
     */
    @Test
    void cancelWhileConnecting() throws Exception {
        Path socket = dir.resolve("full.sock");
        try (GuestPair pair = GuestPair.create()) {
            Leaks before = Leaks.snapshot();
            ServerSocketChannel full = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
                    .bind(java.net.UnixDomainSocketAddress.of(socket), 1);
            List<SocketChannel> queued = new ArrayList<>();
            try {
                // Linux queues backlog + 1 connections; the next connect blocks.
                for (int i = 0; i < 2; i++) {
                    queued.add(SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket)));
                }
                pair.source().migrate("unix:" + socket);
                assertEquals(MigrationStatus.SETUP, GuestPair.status(pair.source()));
                pair.source().cancel();
                assertEquals(MigrationStatus.CANCELLING, GuestPair.status(pair.source()));
                assertEquals(RunState.RUNNING, pair.source().runState());
            } finally {
                full.close(); // the blocked connect fails with "Connection refused"
                for (SocketChannel c : queued) {
                    c.close();
                }
                Files.deleteIfExists(socket);
            }
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    /**
     * A cancel that lands between {@code migrate}'s start (status setup) and its thread: the
     * status listener cancels at once. No thread may start (here it would hang in a connect to
     * a full listener), the migration ends cancelled, and a retry completes.
     */
    @Test
    void cancelBeforeTheMigrationThreadStarts() throws Exception {
        Path socket = dir.resolve("never.sock");
        try (GuestPair pair = GuestPair.create();
                ServerSocketChannel full = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
                        .bind(java.net.UnixDomainSocketAddress.of(socket), 1);
                SocketChannel q1 = SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket));
                SocketChannel q2 = SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            assertTrue(full.isOpen() && q1.isConnected() && q2.isConnected(), "the listener's queue is full");
            cancelOnSetup(pair.source());
            Leaks before = Leaks.snapshot();
            pair.source().migrate("unix:" + socket);
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
            Leaks.assertNoneSince(before);
            pair.assertSourceSurvived();
            stopCancelling = true;
            pair.assertRetryCompletes();
        }
    }

    @Test
    void cancelBeforeAnUnknownSchemeIsRejected() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
            pair.source().cont();
            cancelOnSetup(pair.source());
            assertThrows(MigrationException.class, () -> pair.source().migrate("bogus:x"));
            assertEquals(MigrationStatus.CANCELLED, GuestPair.status(pair.source()), "not stuck in cancelling");
        }
    }

    private volatile boolean stopCancelling;

    private void cancelOnSetup(MigrationControl vm) {
        vm.addStatusListener((side, from, to) -> {
            if (to == MigrationStatus.SETUP && !stopCancelling) {
                vm.cancel();
            }
        });
    }

    /** Waits until the source sends nothing more: its writes block on a full socket. */
    private static void awaitStuck(MigrationControl source) throws InterruptedException {
        long[] last = {-1};
        int[] still = {0};
        Migrations.await("the source to block", source, () -> {
            long now = source.queryMigrate().ram().map(MigrationStats::transferred).orElse(0L);
            still[0] = now == last[0] ? still[0] + 1 : 0;
            last[0] = now;
            return still[0] >= 50; // 50 polls, at least 100 ms, without progress
        });
    }

    @Test
    void cancelWhileActive() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            EventLog events = new EventLog();
            EventLog dstEvents = new EventLog();
            pair.source().addEventListener(events);
            pair.destination().addEventListener(dstEvents);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.destination().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.source().setParameters(Migrations.nonConverge());
            Leaks before = Leaks.snapshot();
            pair.source().migrate(pair.listenTcp());
            Migrations.await("a few MB sent", pair.source(),
                    () -> pair.source().queryMigrate().ram().map(MigrationStats::transferred).orElse(0L) > 2 << 20);
            pair.source().cancel();
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
            assertEquals(List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE, MigrationStatus.CANCELLING,
                    MigrationStatus.CANCELLED), events.statusesUntil(MigrationStatus.CANCELLED));
            pair.assertDestinationNotStarted();
            assertEquals(List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE, MigrationStatus.FAILED),
                    dstEvents.statusesUntil(MigrationStatus.FAILED));
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    @Test
    void execCommandThatStopsReading() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            Leaks before = Leaks.snapshot();
            pair.source().migrate("exec:head -c 100000 > /dev/null");
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            assertFalse(GuestPair.errorOf(pair.source()).isBlank());
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    @Test
    void execCommandThatProducesNoStream() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            Leaks before = Leaks.snapshot();
            pair.destination().migrateIncoming("exec:cat '" + dir.resolve("missing") + "'");
            pair.assertDestinationNotStarted();
            assertFalse(GuestPair.errorOf(pair.destination()).isBlank());
            Leaks.assertNoneSince(before);
        }
    }

    /**
     * A destination that swallows the stream and never answers on the return path: the source,
     * guest stopped for the switchover, waits for SHUT; cancel restarts the guest.
     */
    @Test
    void cancelWhileWaitingForTheDestinationsShut() throws Exception {
        try (GuestPair pair = GuestPair.create();
                ServerSocketChannel silent = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
            Leaks before = Leaks.snapshot();
            pair.source().migrate("tcp:127.0.0.1:" + ((InetSocketAddress) silent.getLocalAddress()).getPort());
            try (SocketChannel accepted = silent.accept()) {
                ByteBuffer sink = ByteBuffer.allocateDirect(1 << 20);
                while (accepted.read(sink.clear()) >= 0) {
                    // swallow everything up to the source's end of stream
                }
                assertEquals(RunState.FINISH_MIGRATE, pair.source().runState(), "guest stopped for the switchover");
                assertEquals(MigrationStatus.ACTIVE, GuestPair.status(pair.source()), "waiting for SHUT");
                pair.source().cancel();
                MigrationInfo end = GuestPair.awaitFinal(pair.source());
                assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
            }
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletes();
        }
    }

    @Test
    void cancelAfterCompletionChangesNothing() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
            pair.source().cancel();
            assertEquals(MigrationStatus.COMPLETED, GuestPair.status(pair.source()));
            assertEquals(RunState.POSTMIGRATE, pair.source().runState());
        }
    }
}
