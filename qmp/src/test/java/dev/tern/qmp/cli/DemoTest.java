package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.tern.qmp.kvm.RequiresKvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's two-JVM migration with a small guest: the destination is a real second JVM. */
@Tag("slow")
@Timeout(180)
class DemoTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int demo(String... options) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("demo"));
        args.addAll(List.of(options));
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        return exit;
    }

    @Test
    void sweepingGuestArrivesIdenticalInTheSecondJvm() {
        assertEquals(0, demo("--ram", "32M", "--guest", "reference"), out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(Demo.REFERENCE_LINE + " (--guest reference)"), text);
        Matcher verdict = Pattern.compile("VERDICT: RAM identical \\(32 MiB, sha256:([0-9a-f]{64}); guest passes (\\d+) on both "
                + "sides\\)").matcher(text);
        assertTrue(verdict.find(), text);
        // both sides printed the same digest, and the second JVM reported it itself
        assertTrue(text.contains("    source      sha256:" + verdict.group(1)), text);
        assertTrue(text.contains("    destination sha256:" + verdict.group(1)), text);
        assertTrue(text.contains("[destination] tern: incoming migration completed: RAM sha256:" + verdict.group(1)), text);
        assertTrue(text.contains("<- {\"return\": {\"singlestep\": false, \"status\": \"running\", \"running\": true}}"),
                "the destination guest resumed: " + text);
        assertTrue(text.contains("the destination JVM exited with status 0"), text);
        assertTrue(text.contains("source:      {\"return\": {\"status\": \"completed\""), text);
        assertTrue(text.contains("destination: {\"return\": {\"status\": \"completed\""), text);
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "no process left behind");
    }

    @Test
    void randomWritesOverTwoVcpus() {
        assertEquals(0, demo("--ram", "16M", "--workload", "random:20000", "--vcpus", "2"),
                out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("VERDICT: RAM identical (16 MiB, sha256:"), text);
        // the default (auto) takes the reference guest for what the KVM guest cannot run
        assertTrue(text.contains(Demo.REFERENCE_LINE + " (no KVM guest: the KVM guest runs the sweep workload only, not"
                + " random:20000)"), text);
    }

    @Test
    @RequiresKvm
    void byDefaultARealKvmGuestArrivesIdenticalAndResumes() {
        assertEquals(0, demo("--ram", "64M"), out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(Demo.KVM_LINE + " (/dev/kvm is usable)"), text);
        assertTrue(text.contains("guest: KVM guest: 64 MiB of RAM in block pc.ram, machine tern-kvm-sweep"), text);
        Matcher verdict = Pattern.compile("VERDICT: RAM identical \\(64 MiB, sha256:([0-9a-f]{64}); guest passes (\\d+) on both "
                + "sides\\)").matcher(text);
        assertTrue(verdict.find(), text);
        assertTrue(Long.parseLong(verdict.group(2)) > 0, "the source guest made passes: " + text);
        assertTrue(text.contains("[destination] tern: incoming migration completed: RAM sha256:" + verdict.group(1)), text);
        assertTrue(text.contains("<- {\"return\": {\"singlestep\": false, \"status\": \"running\", \"running\": true}}"),
                "the destination guest resumed: " + text);
        assertTrue(text.contains("the destination JVM exited with status 0"), text);
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "no process left behind");
    }
}
