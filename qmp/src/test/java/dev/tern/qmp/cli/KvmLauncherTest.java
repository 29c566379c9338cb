package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.StartMode;
import dev.tern.kvm.KvmGuest;
import dev.tern.kvm.SweepRamCheck;
import dev.tern.qmp.json.QmpJson;
import dev.tern.qmp.kvm.RequiresKvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --guest kvm} in a second JVM as the destination of a running KVM guest in this one,
 * over TCP: the second JVM reports the source's RAM digest and pass count at completion, and
 * once resumed its guest goes on counting passes.
 */
@RequiresKvm
@Timeout(180)
class KvmLauncherTest {
    private static final Pattern SHUTDOWN = Pattern.compile("tern: shutting down \\(guest passes (\\d+)\\)");

    @TempDir
    Path dir;

    @Test
    void runningKvmGuestMigratesIntoASecondJvmThatKeepsCounting() throws Exception {
        Path socket = dir.resolve("destination.qmp");
        List<String> args = List.of("run", "--qmp", "unix:" + socket, "--incoming", "defer", "--guest", "kvm", "--ram",
                "64M", "--vcpus", "2", "--report-digest-on-complete");
        StringBuilder childOutput = new StringBuilder();
        try (ChildVm child = ChildVm.start(JvmCommand.current(), args, line -> {
            synchronized (childOutput) {
                childOutput.append(line).append('\n');
            }
        });
                KvmGuest source = KvmGuest.builder().ramSize(64L << 20).vcpus(2).build();
                MigrationControl src = MigrationControl.create(source, StartMode.RUNNING)) {
            String ready = child.awaitLine(line -> line.contains("QMP on unix:"), Duration.ofSeconds(60));
            assertTrue(ready.startsWith("tern: VM with KVM guest: 64 MiB of RAM in block pc.ram, machine tern-kvm-sweep,"
                    + " 2 vCPUs"), ready);
            assertTrue(ready.contains("(inmigrate)"), ready);
            source.start();
            try (SocketQmp destination = SocketQmp.connect("destination", socket)) {
                destination.execute("stop");
                destination.execute("migrate-incoming", QmpJson.object().put("uri", "tcp:127.0.0.1:0"));
                JsonNode address = destination.execute("query-migrate").path("socket-address").path(0);
                src.setParameters(MigrateSetParameters.builder().maxBandwidth(10_000_000_000L).downtimeLimit(30_000)
                        .build());
                src.migrate("tcp:127.0.0.1:" + address.path("port").asText());

                String line = child.awaitLine(l -> l.startsWith(CompletionReport.PREFIX), Duration.ofSeconds(120));
                Optional<CompletionReport.Reported> reported = CompletionReport.parse(line);
                assertTrue(reported.isPresent(), line);
                while (src.queryMigrate().status().orElseThrow() != MigrationStatus.COMPLETED) {
                    assertTrue(src.queryMigrate().status().orElseThrow() != MigrationStatus.FAILED,
                            () -> src.queryMigrate().toString());
                    Thread.sleep(5);
                }
                assertEquals(RamDigest.of(source.ramBlocks()).hex(), reported.get().hex(), line);
                assertEquals(source.passes(), reported.get().passes(), line);
                assertEquals("paused", reported.get().runState());
                for (SweepRamCheck check : source.checkRam()) {
                    assertTrue(check.consistent(), check.message());
                }

                destination.execute("cont");
                assertEquals("running", destination.execute("query-status").path("status").asText());
                // QMP shows no pass counter: let the guest run a while (a pass of 63 MiB takes
                // tens of milliseconds), then read it from the shutdown line.
                Thread.sleep(2000);
                try {
                    destination.execute("quit");
                } catch (java.io.IOException e) {
                    // the reply and the closing connection race; the exit status tells
                }
            }
            String end = child.awaitLine(l -> SHUTDOWN.matcher(l).matches(), Duration.ofSeconds(30));
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), () -> childOutput.toString());
            Matcher m = SHUTDOWN.matcher(end);
            assertTrue(m.matches());
            assertTrue(Long.parseLong(m.group(1)) > source.passes(), "the destination kept counting: " + end
                    + " after the source's " + source.passes());
        }
    }
}
