package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.Workload;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --report-digest-on-complete} as the destination of a migration from a sweeping guest
 * in the test: the line it prints when the incoming migration ends.
 */
@Timeout(120)
class CompletionReportTest {
    private static final long RAM = 8L << 20;

    @TempDir
    Path dir;

    private static ReferenceGuest sweeping(String machine) {
        return ReferenceGuest.builder().machineType(machine).ramBlock("pc.ram", RAM)
                .workload(Workload.sequentialSweep(0, RAM)).build();
    }

    /** Migrates a sweeping source guest into the launcher listening on {@code uri}. */
    private static void migrate(MigrationControl source, String uri) {
        // 30 s of downtime allowed: the sweep rewrites all RAM between syncs, so only this converges at once
        source.setParameters(MigrateSetParameters.builder().maxBandwidth(10_000_000_000L).downtimeLimit(30_000).build());
        source.migrate(uri);
    }

    @Test
    void digestOfThePausedDestinationEqualsTheSourcesAtTheStopPoint() throws Exception {
        String uri = "unix:" + dir.resolve("mig.sock");
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("vm.qmp"), "--incoming", "defer", "--ram", "8M",
                "--report-digest-on-complete");
                SocketQmp qmp = run.connect();
                ReferenceGuest src = sweeping(ReferenceGuest.DEFAULT_MACHINE_TYPE);
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            src.start();
            qmp.execute("stop");
            qmp.execute("migrate-incoming", dev.tern.qmp.json.QmpJson.object().put("uri", uri));
            migrate(source, uri);
            String output = run.awaitOutput(text -> text.contains(CompletionReport.PREFIX));
            String line = output.lines().filter(l -> l.startsWith(CompletionReport.PREFIX)).findFirst().orElseThrow();
            Optional<CompletionReport.Reported> reported = CompletionReport.parse(line);
            assertTrue(reported.isPresent(), line);
            // the source is paused in postmigrate once it completed; the destination reported after its own completion
            while (!source.queryMigrate().status().map(s -> s.qapiName().equals("completed")).orElse(false)) {
                Thread.sleep(5);
            }
            assertEquals(RamDigest.of(src.ramBlocks()).hex(), reported.get().hex(), line);
            assertEquals(src.passes(), reported.get().passes(), "the tern-workload section carried the pass counter");
            assertEquals("paused", reported.get().runState());
            assertTrue(line.contains("(8 MiB)"), line);
            assertEquals("paused", qmp.execute("query-status").path("status").asText(), "the report does not start the guest");
        }
    }

    @Test
    void noDigestWhenTheGuestAlreadyRuns() throws Exception {
        String uri = "unix:" + dir.resolve("mig.sock");
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("vm.qmp"), "--incoming", uri, "--ram", "8M",
                "--report-digest-on-complete");
                ReferenceGuest src = sweeping(ReferenceGuest.DEFAULT_MACHINE_TYPE);
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            src.start();
            migrate(source, uri);
            String output = run.awaitOutput(text -> text.contains(CompletionReport.PREFIX));
            assertTrue(output.contains("tern: incoming migration completed: runstate running, no RAM digest (the guest is "
                    + "writing; send stop before the migration to get one)\n"), output);
        }
    }

    @Test
    void failedMigrationIsReported() throws Exception {
        String uri = "unix:" + dir.resolve("mig.sock");
        try (InProcessLauncher run = InProcessLauncher.start(dir.resolve("vm.qmp"), "--incoming", uri, "--ram", "8M",
                "--report-digest-on-complete");
                ReferenceGuest src = ReferenceGuest.builder().ramBlock("other.ram", RAM).build();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING)) {
            migrate(source, uri);
            String output = run.awaitOutput(text -> text.contains(CompletionReport.PREFIX));
            String line = output.lines().filter(l -> l.startsWith(CompletionReport.PREFIX)).findFirst().orElseThrow();
            assertTrue(line.equals("tern: incoming migration failed")
                    || line.equals("tern: incoming migration failed: Unknown ramblock \"other.ram\", cannot accept migration"),
                    line);
            try (SocketQmp qmp = run.connect()) {
                assertEquals("inmigrate", qmp.execute("query-status").path("status").asText(),
                        "a destination never runs a guest from a failed stream");
            }
            assertTrue(CompletionReport.parse(line).isEmpty());
        }
    }

    @Test
    void parsesOnlyDigestLines() {
        String hex = "ab".repeat(32);
        assertEquals(Optional.of(new CompletionReport.Reported(hex, 41, "paused")), CompletionReport.parse(
                "tern: incoming migration completed: RAM sha256:" + hex + " (256 MiB), guest passes 41, runstate paused"));
        assertEquals(Optional.empty(), CompletionReport.parse(
                "tern: incoming migration completed: RAM sha256:" + hex.substring(2) + " (256 MiB), guest passes 41, runstate paused"));
        assertEquals(Optional.empty(), CompletionReport.parse("tern: incoming migration failed: x"));
        assertEquals(Optional.empty(), CompletionReport.parse(" tern: incoming migration completed: RAM sha256:" + hex
                + " (256 MiB), guest passes 41, runstate paused"));
    }
}
