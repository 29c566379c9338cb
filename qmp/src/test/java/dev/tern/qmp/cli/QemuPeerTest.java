package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.core.guest.ReferenceGuest;
import dev.tern.qmp.json.QmpJson;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --machine none --block ram --no-device-section} as the destination of a real QEMU
 * 7.2 {@code -M none} (spec appendix C), both driven over QMP. Skipped without
 * {@code qemu-system-x86_64}.
 */
@Timeout(120)
class QemuPeerTest {
    @TempDir
    Path dir;

    private static Optional<Path> qemu() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(d, "qemu-system-x86_64");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static SocketQmp connect(Path socket, Process qemu) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return SocketQmp.connect("qemu", socket);
            } catch (IOException e) {
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void qemuMachineNoneMigratesIntoTheLauncher() throws Exception {
        Optional<Path> binary = qemu();
        Assumptions.assumeTrue(binary.isPresent(), "qemu-system-x86_64 is not installed");
        Process qemu = new ProcessBuilder(binary.get().toString(), "-M", "none", "-m", "64", "-nodefaults", "-display",
                "none", "-nographic", "-S", "-qmp", "unix:" + dir.resolve("qemu.qmp") + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("tern.qmp"), "--incoming", "defer", "-m", "64",
                "--machine", "none", "--block", "ram", "--no-device-section", "--workload", "idle",
                "--report-digest-on-complete");
                SocketQmp tern = run.connect();
                SocketQmp source = connect(dir.resolve("qemu.qmp"), qemu)) {
            tern.execute("migrate-incoming", QmpJson.object().put("uri", "tcp:127.0.0.1:0"));
            String port = tern.execute("query-migrate").path("socket-address").path(0).path("port").asText();
            source.execute("migrate", QmpJson.object().put("uri", "tcp:127.0.0.1:" + port));
            String output = run.awaitOutput(text -> text.contains(CompletionReport.PREFIX));
            String line = output.lines().filter(l -> l.startsWith(CompletionReport.PREFIX)).findFirst().orElseThrow();
            CompletionReport.Reported reported = CompletionReport.parse(line).orElseThrow(() -> new AssertionError(line));
            // QEMU's never-written RAM is zero; the same block of zeros in a guest of ours gives the expected digest
            try (ReferenceGuest zeros = ReferenceGuest.builder().ramBlock("ram", 64L << 20).build()) {
                assertEquals(RamDigest.of(zeros.ramBlocks()).hex(), reported.hex());
            }
            assertEquals("prelaunch", reported.runState(), "QEMU's -S travels in the globalstate section");
            assertEquals("completed", tern.execute("query-migrate").path("status").asText());
            assertEquals("prelaunch", tern.execute("query-status").path("status").asText());
            // the source may still be finishing its side when the destination reports
            String status = source.execute("query-migrate").path("status").asText();
            for (int i = 0; i < 1000 && status.equals("active"); i++) {
                Thread.sleep(10);
                status = source.execute("query-migrate").path("status").asText();
            }
            assertEquals("completed", status);
            source.execute("quit");
        } finally {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
