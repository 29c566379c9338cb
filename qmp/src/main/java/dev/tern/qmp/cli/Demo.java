package dev.tern.qmp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.qmp.json.QmpJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code demo}: the library's main job end to end. A guest runs in this JVM and writes its
 * memory: a real KVM guest (QEMU's A-B sweep on vCPUs under {@code /dev/kvm}) where
 * {@code /dev/kvm} is usable, Tern's reference guest otherwise or with {@code --guest reference};
 * the output says which and why; a second JVM hosts an empty destination VM ({@code run --incoming defer});
 * both are driven with QMP exactly as a management tool drives two QEMUs: the destination
 * listens on TCP loopback, the source migrates to it while its guest keeps writing, and the
 * demo prints the progress, both sides' final {@code query-migrate}, and whether the
 * destination's RAM equals the source's at the stop point (SHA-256 of each side's RAM, the
 * destination's reported by {@code run --report-digest-on-complete}). Then the destination's
 * guest resumes and the second JVM quits.
 */
final class Demo {
    /** The verdict line's start when the two RAMs are equal; the demo's exit status is then 0. */
    static final String VERDICT_IDENTICAL = "VERDICT: RAM identical";
    /** The verdict line's start when they differ (exit status 1). */
    static final String VERDICT_DIFFERENT = "VERDICT: RAM differs";

    /** The line that says the demo migrates a KVM guest. */
    static final String KVM_LINE = "guest kind: KVM guest, real vCPUs under /dev/kvm";
    /** The line that says the demo migrates the reference guest. */
    static final String REFERENCE_LINE = "guest kind: reference guest, Java threads";

    /** QEMU's default downtime-limit: the demo needs no special tuning to converge. */
    static final long DOWNTIME_LIMIT_MS = 300;
    /** max-bandwidth: 10 GB/s, more than loopback carries, so the link is the limit, not QEMU's 128 MiB/s default. */
    static final long MAX_BANDWIDTH = 10_000_000_000L;

    private static final Duration CHILD_START = Duration.ofSeconds(60);
    private static final Duration FIRST_PASS = Duration.ofSeconds(10);
    private static final Duration MIGRATION_LIMIT = Duration.ofSeconds(40);
    private static final Duration REPORT_WAIT = Duration.ofSeconds(30);
    private static final Duration CHILD_EXIT = Duration.ofSeconds(30);
    /** How long the destination's guest runs before the demo asks for its status. */
    private static final long RESUMED_MILLIS = 300;
    private static final long PROGRESS_EVERY_MILLIS = 200;
    private static final long POLL_MILLIS = 20;
    private static final String INDENT = "    ";

    private final GuestOptions guestOptions;
    private final JvmCommand jvm;
    private final PrintStream out;

    /**
     * A demo.
     *
     * @param guestOptions the guest both sides build
     * @param jvm how to start the second JVM
     * @param out where the demo prints
     */
    Demo(GuestOptions guestOptions, JvmCommand jvm, PrintStream out) {
        this.guestOptions = guestOptions;
        this.jvm = jvm;
        this.out = out;
    }

    /**
     * Runs the demo with a second JVM started like this one.
     *
     * @param options the guest (RAM, vCPUs, workload)
     * @param out where the demo prints
     * @return the exit status: 0 if the destination's RAM is identical to the source's, 1 if not
     * @throws IOException if the second JVM cannot be started or driven
     * @throws InterruptedException if interrupted
     */
    static int run(LaunchOptions options, PrintStream out) throws IOException, InterruptedException {
        return new Demo(options.guest(), JvmCommand.current(), out).show();
    }

    /**
     * Runs the demo.
     *
     * @return the exit status: 0 if the destination's RAM is identical to the source's, 1 if not
     * @throws IOException if the second JVM cannot be started or driven
     * @throws InterruptedException if interrupted
     */
    int show() throws IOException, InterruptedException {
        out.println("Tern demo: live migration of a running guest between two JVMs over TCP loopback");
        GuestOptions.Resolved resolved = guestOptions.resolve();
        GuestOptions options = resolved.options();
        out.println((options.kind() == GuestKind.KVM ? KVM_LINE : REFERENCE_LINE) + " (" + resolved.reason() + ")");
        out.println("guest: " + options.describe());
        Path dir = Files.createTempDirectory("tern-demo-");
        Path socket = dir.resolve("destination.qmp");
        // if this JVM is stopped (Ctrl-C), the shutdown hooks end the second JVM and these go after it
        dir.toFile().deleteOnExit();
        socket.toFile().deleteOnExit();
        List<String> destinationArgs = new ArrayList<>(List.of("run", "--qmp", "unix:" + socket, "--incoming", "defer",
                "--report-digest-on-complete"));
        destinationArgs.addAll(options.arguments());
        try (ChildVm child = ChildVm.start(jvm, destinationArgs, line -> out.println(INDENT + "[destination] " + line));
                HostedGuest guest = options.host();
                MigrationControl vm = MigrationControl.create(guest.guest(), StartMode.RUNNING)) {
            section("Destination: a second JVM (pid " + child.pid() + ") running");
            out.println(INDENT + "tern " + String.join(" ", destinationArgs));

            guest.start();
            section("Source: this JVM, " + guest.kind() + ", running");
            awaitFirstPass(guest);
            long before = guest.pagesWritten();
            Thread.sleep(500);
            out.printf(Locale.ROOT, "%sthe guest writes %,d pages/s; pass counter %d%n", INDENT,
                    (guest.pagesWritten() - before) * 2, guest.passes());

            child.awaitLine(line -> line.contains("QMP on unix:"), CHILD_START);
            try (SocketQmp destination = SocketQmp.connect("destination", socket);
                    SessionQmp source = SessionQmp.open("source", vm)) {
                return migrate(child, destination, source, guest);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Waits (at most {@link #FIRST_PASS}) for the guest's first pass: a KVM guest's first sweep
     * faults in every page of its RAM, so its writing rate is only typical after it.
     */
    private static void awaitFirstPass(HostedGuest guest) throws InterruptedException {
        long deadline = System.nanoTime() + FIRST_PASS.toNanos();
        while (guest.passes() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
        }
    }

    private int migrate(ChildVm child, QmpPeer destination, QmpPeer source, HostedGuest guest)
            throws IOException, InterruptedException {
        section("Destination: keep the guest paused after the migration (autostart off), listen on TCP");
        call(destination, "stop", QmpJson.object());
        call(destination, "migrate-incoming", QmpJson.object().put("uri", "tcp:127.0.0.1:0"));
        JsonNode address = call(destination, "query-migrate", QmpJson.object()).path("socket-address").path(0);
        String uri = "tcp:" + address.path("host").asText() + ":" + address.path("port").asText();

        section("Source: raise max-bandwidth, migrate to " + uri);
        call(source, "migrate-set-parameters", QmpJson.object().put("downtime-limit", DOWNTIME_LIMIT_MS)
                .put("max-bandwidth", MAX_BANDWIDTH));
        call(source, "migrate", QmpJson.object().put("uri", uri));

        section("Progress (source query-migrate every " + PROGRESS_EVERY_MILLIS + " ms)");
        JsonNode sourceInfo = follow(source);
        if (!sourceInfo.path("status").asText().equals("completed")) {
            out.println(INDENT + "the migration did not complete: " + sourceInfo.path("error-desc").asText(""));
            printFinal(sourceInfo, destination);
            return 1;
        }
        JsonNode ram = sourceInfo.path("ram");
        out.printf(Locale.ROOT, "%scompleted: total-time %d ms (setup %d ms), downtime %d ms, %.1f MiB sent in %d passes%n",
                INDENT, sourceInfo.path("total-time").asLong(), sourceInfo.path("setup-time").asLong(),
                sourceInfo.path("downtime").asLong(), ram.path("transferred").asLong() / (double) (1 << 20),
                ram.path("dirty-sync-count").asLong());
        String report = child.awaitLine(line -> line.startsWith(CompletionReport.PREFIX), REPORT_WAIT);
        printFinal(sourceInfo, destination);

        section("RAM at the stop point");
        RamDigest sourceDigest = RamDigest.of(guest.guest().ramBlocks());
        out.printf("%ssource      sha256:%s  guest passes %d, runstate %s%n", INDENT, sourceDigest.hex(), guest.passes(),
                source.execute("query-status").path("status").asText());
        Optional<CompletionReport.Reported> reported = CompletionReport.parse(report);
        reported.ifPresentOrElse(
                r -> out.printf("%sdestination sha256:%s  guest passes %d, runstate %s%n", INDENT, r.hex(), r.passes(),
                        r.runState()),
                () -> out.println(INDENT + "destination: " + report));

        resumeAndQuit(child, destination);
        return verdict(sourceDigest, guest.passes(), reported, report);
    }

    /** Both sides' last query-migrate, each as its QMP reply line. */
    private void printFinal(JsonNode sourceInfo, QmpPeer destination) throws IOException {
        section("Final query-migrate of both sides");
        out.println(INDENT + "source:      " + QmpJson.write(reply(sourceInfo)));
        out.println(INDENT + "destination: " + QmpJson.write(reply(destination.execute("query-migrate"))));
    }

    /** The destination's guest runs on from where the source stopped; then the second JVM ends. */
    private void resumeAndQuit(ChildVm child, QmpPeer destination) throws IOException, InterruptedException {
        section("Destination: resume the guest, then quit");
        call(destination, "cont", QmpJson.object());
        Thread.sleep(RESUMED_MILLIS);
        call(destination, "query-status", QmpJson.object());
        try {
            call(destination, "quit", QmpJson.object());
        } catch (IOException e) {
            // the reply and the closing connection race; the exit status below tells
        }
        out.println(INDENT + "the destination JVM exited with status " + child.awaitExit(CHILD_EXIT));
    }

    private int verdict(RamDigest source, long sourcePasses, Optional<CompletionReport.Reported> destination,
            String report) {
        out.println();
        if (destination.isEmpty() || !destination.get().hex().equals(source.hex())) {
            out.printf("%s (source sha256:%s, destination: %s)%n", VERDICT_DIFFERENT, source.hex(),
                    destination.map(CompletionReport.Reported::hex).orElse(report));
            return 1;
        }
        long passes = destination.get().passes();
        out.printf("%s (%s, sha256:%s; guest passes %s)%n", VERDICT_IDENTICAL, Sizes.format(source.bytes()), source.hex(),
                passes == sourcePasses ? passes + " on both sides"
                        : "source " + sourcePasses + ", destination " + passes + ": the device state differs");
        return 0;
    }

    private static ObjectNode reply(JsonNode result) {
        ObjectNode reply = QmpJson.object();
        reply.set("return", result);
        return reply;
    }

    /** Polls the source until the migration ends, printing a progress line every so often. */
    private JsonNode follow(QmpPeer source) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long lastPrint = start;
        String lastStatus = "";
        while (true) {
            JsonNode info = source.execute("query-migrate");
            String status = info.path("status").asText();
            long now = System.nanoTime();
            boolean done = switch (status) {
                case "completed", "failed", "cancelled" -> true;
                default -> false;
            };
            if (done || !status.equals(lastStatus) || now - lastPrint >= PROGRESS_EVERY_MILLIS * 1_000_000) {
                out.println(INDENT + ProgressLine.format((now - start) / 1e9, info));
                lastPrint = now;
                lastStatus = status;
            }
            if (done) {
                return info;
            }
            if (now - start > MIGRATION_LIMIT.toNanos()) {
                out.println(INDENT + "no switchover after " + MIGRATION_LIMIT.toSeconds() + " s: cancelling");
                call(source, "migrate_cancel", QmpJson.object());
                return awaitEnd(source);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static JsonNode awaitEnd(QmpPeer source) throws IOException, InterruptedException {
        while (true) {
            JsonNode info = source.execute("query-migrate");
            switch (info.path("status").asText()) {
                case "completed", "failed", "cancelled" -> {
                    return info;
                }
                default -> Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private JsonNode call(QmpPeer peer, String command, ObjectNode arguments) throws IOException {
        out.printf("%s%-11s -> %s%n", INDENT, peer.name(), QmpJson.write(QmpPeer.request(command, arguments)));
        JsonNode result = peer.execute(command, arguments);
        out.printf("%s%-11s <- %s%n", INDENT, peer.name(), QmpJson.write(reply(result)));
        return result;
    }

    private void section(String title) {
        out.println();
        out.println(title + ":");
    }
}
