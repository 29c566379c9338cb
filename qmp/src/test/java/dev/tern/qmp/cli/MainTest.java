package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.qmp.json.QmpJson;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The launcher's commands, usage errors and {@code run} hosting a reference guest over QMP. */
@Timeout(120)
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int main(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void usage() {
        assertEquals(2, main());
        assertTrue(err().contains("usage: tern run --qmp unix:PATH"), err());
        assertEquals(0, main("--help"));
        assertTrue(out().contains("tern demo"), out());
        assertTrue(out().contains("--workload sweep|random[:PAGES/S]|hotset[:PAGES/S]|idle"), out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fly                                          | unknown command fly",
        "run --qmp                                    | option --qmp needs a value",
        "run --qmp tcp:1:2                            | --qmp takes unix:PATH, not tcp:1:2",
        "run --qmp unix:/s,reconnect=1                | unsupported socket option reconnect=1",
        "run --qmp unix:                              | --qmp unix: needs a path",
        "run --colour blue                            | unknown option --colour",
        "run                                          | run needs --qmp unix:PATH",
        "run --ram 64M                                | run needs --qmp unix:PATH",
        "run --qmp unix:/s --ram                      | option --ram needs a value",
        "demo --ram 1000                              | --ram must be a positive multiple of 4 KiB, not 1000 bytes",
        "demo --ram 0                                 | --ram must be a positive multiple of 4 KiB, not 0 bytes",
        "demo --ram lots                              | not a size: 'lots'",
        "demo --colour                                | unknown option --colour",
        "demo --qmp unix:/s                           | option --qmp is for run, not demo",
        "demo --incoming defer                        | option --incoming is for run, not demo",
        "demo --no-device-section                     | option --no-device-section is for run, not demo",
        "demo --report-digest-on-complete             | option --report-digest-on-complete is for run, not demo",
        "demo --machine none                          | option --machine is for run, not demo",
        "run --qmp unix:/s --vcpus 0                  | --vcpus must be at least 1, not 0",
        "run --qmp unix:/s --vcpus two                | --vcpus takes a number, not 'two'",
        "demo --vcpus -1                              | --vcpus must be at least 1, not -1",
        "run --qmp unix:/s --workload fast            | --workload takes sweep, random[:PAGES_PER_SECOND], "
                + "hotset[:PAGES_PER_SECOND] or idle, not 'fast'",
        "run --qmp unix:/s --workload sweep:5         | --workload sweep takes no rate, not 'sweep:5'",
        "run --qmp unix:/s --workload idle:0          | --workload idle takes no rate, not 'idle:0'",
        "run --qmp unix:/s --workload random:x        | --workload random: not a page rate: 'x'",
        "run --qmp unix:/s --workload hotset:-1       | --workload hotset: page rate -1 is negative",
        "run --qmp unix:/s --uuid 1234                | --uuid takes a UUID such as 12345678-9abc-def0-1234-56789abcdef0, not '1234'",
        "run --qmp unix:/s --uuid 1-2-3-4-5           | --uuid takes a UUID",
        "demo --guest bare                            | --guest takes reference, kvm or auto, not 'bare'",
        "run --qmp unix:/s --guest                    | option --guest needs a value",
        "run --qmp unix:/s --guest kvm --workload idle | --guest kvm: the KVM guest runs the sweep workload only, not idle",
        "run --qmp unix:/s --guest kvm --ram 1M       | --guest kvm: the KVM guest's sweep starts at 1 MiB: it needs more"
                + " RAM than 1 MiB (a page above 1 MiB per vCPU)",
        "run --qmp unix:/s --guest kvm --vcpus 65     | --guest kvm: the KVM guest has at most 64 vCPUs, not 65",
        "run --qmp unix:/s --guest kvm --block ram    | --guest kvm: the KVM guest's RAM block is pc.ram, not ram",
        "run --qmp unix:/s --guest kvm --no-device-section | --guest kvm: the KVM guest always migrates its vCPU and"
                + " serial sections (--no-device-section)",
    })
    void usageErrors(String words, String message) {
        assertEquals(2, main(words.trim().split(" +")));
        assertTrue(err().contains("tern: " + message), err());
        assertTrue(err().contains("usage: tern run"), err());
    }

    @Test
    void withoutAnEngineItSaysSo() throws Exception {
        // A JVM whose class path lacks tern-core: the launcher must say what is missing.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("core" + File.separator + "target") && !entry.contains("tern-core-"))
                .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Main.class.getName(), "run", "--qmp", "unix:" + dir.resolve("s"), "--workload", "idle")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.startsWith("tern: no Tern engine found"), output);
        assertFalse(output.contains("\tat "), "a stack trace instead of a message: " + output);
        assertTrue(!Files.exists(dir.resolve("s")), "socket left behind");
    }

    @Test
    void runHostsARunningReferenceGuest() throws Exception {
        Path socket = dir.resolve("vm.qmp");
        try (InProcessLauncher run = InProcessLauncher.start(socket, "--ram", "8M", "--workload", "random:1000",
                "--vcpus", "2")) {
            try (SocketQmp qmp = run.connect()) {
                assertEquals("{\"singlestep\": false, \"status\": \"running\", \"running\": true}",
                        QmpJson.write(qmp.execute("query-status")));
                assertEquals("{}", QmpJson.write(qmp.execute("query-migrate")));
                qmp.execute("stop");
                assertEquals("paused", qmp.execute("query-status").path("status").asText());
                qmp.execute("cont");
                assertEquals("running", qmp.execute("query-status").path("status").asText());
            }
            assertTrue(run.output().contains("tern: VM with 8 MiB of RAM in block pc.ram, machine tern-reference, 2 vCPUs, "
                    + "workload random writes, 1000 pages/s (running); QMP on unix:" + socket), run.output());
            assertEquals(0, run.quit());
            assertTrue(run.output().matches("(?s).*tern: shutting down \\(guest passes \\d+\\)\n"), run.output());
        }
        assertFalse(Files.exists(socket), "socket left behind");
    }

    @Test
    void runWithIncomingDeferWaitsForMigrateIncoming() throws Exception {
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("vm.qmp"), "--incoming", "defer",
                "--machine", "none", "--block", "ram", "--no-device-section");
                SocketQmp qmp = run.connect()) {
            assertEquals("inmigrate", qmp.execute("query-status").path("status").asText());
            assertFalse(qmp.execute("query-status").path("running").asBoolean());
            assertEquals("{}", QmpJson.write(qmp.execute("query-migrate")), "nothing listens yet");
            // QEMU's cont during inmigrate only turns autostart back on
            qmp.execute("cont");
            assertEquals("inmigrate", qmp.execute("query-status").path("status").asText());
            assertTrue(run.output().contains("machine none, 1 vCPU, workload sweep (A-B) over all RAM, no device section "
                    + "(inmigrate)"), run.output());
        }
    }

    @Test
    void runWithIncomingUriListensAtOnce() throws Exception {
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("vm.qmp"), "--incoming", "tcp:127.0.0.1:0");
                SocketQmp qmp = run.connect()) {
            JsonNode info = qmp.execute("query-migrate");
            JsonNode address = info.path("socket-address").path(0);
            assertEquals("inet", address.path("type").asText());
            assertEquals("127.0.0.1", address.path("host").asText());
            assertTrue(Integer.parseInt(address.path("port").asText()) > 0, QmpJson.write(info));
        }
    }

    @Test
    void runWithABadIncomingUriFailsWithQemusMessage() {
        assertEquals(1, main("run", "--qmp", "unix:" + dir.resolve("vm.qmp"), "--incoming", "carrier-pigeon:1"));
        assertEquals("tern: unknown migration protocol: carrier-pigeon:1\n", err());
        assertFalse(Files.exists(dir.resolve("vm.qmp")), "socket left behind");
    }

    @ParameterizedTest
    @CsvSource({"4096, 4096", "64M, 67108864", "64m, 67108864", "1G, 1073741824", "2k, 2048", "1T, 1099511627776"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "-1", "1.5G", "8388608T", "ten"})
    void badSizes(String text) {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    }

    @Test
    void sizeFormatting() {
        assertEquals("64 MiB", Sizes.format(64L << 20));
        assertEquals("4097 B", Sizes.format(4097));
        assertEquals("0 B", Sizes.format(0));
    }
}
