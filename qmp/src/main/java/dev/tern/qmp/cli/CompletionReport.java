package dev.tern.qmp.cli;

import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.event.Side;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code run --report-digest-on-complete}: when the VM's incoming migration ends, prints one line
 * saying how, and on success a {@link RamDigest} of the guest's RAM, so that another process
 * (the demo) can compare it with the source's without any QMP command QEMU lacks.
 *
 * <pre>
 * tern: incoming migration completed: RAM sha256:HEX (256 MiB), guest passes 41, runstate paused
 * tern: incoming migration completed: runstate running, no RAM digest (...)
 * tern: incoming migration failed[: ERROR-DESC]
 * </pre>
 *
 * The digest is only meaningful while the guest stays paused, so it is taken only when the
 * migration left the VM paused: send {@code stop} before the migration (QEMU's way of turning
 * autostart off) and {@code cont} after the line.
 */
final class CompletionReport implements AutoCloseable {
    /** The success line with a digest: groups hex, size, passes, runstate. */
    static final Pattern DIGEST_LINE = Pattern.compile(
            "tern: incoming migration completed: RAM sha256:([0-9a-f]{64}) \\(([^)]*)\\), guest passes (\\d+), runstate (\\S+)");
    /** Any line of this report. */
    static final String PREFIX = "tern: incoming migration ";

    private final MigrationControl vm;
    private final HostedGuest guest;
    private final PrintStream out;
    private final CompletableFuture<MigrationStatus> end = new CompletableFuture<>();
    private final MigrationStatusListener listener;
    private final Thread thread;

    private CompletionReport(MigrationControl vm, HostedGuest guest, PrintStream out) {
        this.vm = vm;
        this.guest = guest;
        this.out = out;
        // Called on the engine's thread: hand over, digesting RAM there would hold it up.
        this.listener = (side, from, to) -> {
            if (side == Side.DESTINATION && (to == MigrationStatus.COMPLETED || to == MigrationStatus.FAILED
                    || to == MigrationStatus.CANCELLED)) {
                end.complete(to);
            }
        };
        this.thread = Thread.ofPlatform().name("tern-completion-report").daemon().unstarted(this::report);
    }

    /**
     * Starts watching the VM's incoming migration.
     *
     * @param vm the VM
     * @param guest its guest
     * @param out where the line goes
     * @return the report; close it before the VM
     */
    static CompletionReport start(MigrationControl vm, HostedGuest guest, PrintStream out) {
        CompletionReport report = new CompletionReport(vm, guest, out);
        vm.addStatusListener(report.listener);
        report.thread.start();
        return report;
    }

    /**
     * Reads a digest line.
     *
     * @param line a line of {@code run}'s output
     * @return the digest and the guest's pass counter, if the line is a digest line
     */
    static Optional<Reported> parse(String line) {
        Matcher m = DIGEST_LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Reported(m.group(1), Long.parseLong(m.group(3)), m.group(4)));
    }

    /**
     * What a digest line says.
     *
     * @param hex the RAM digest
     * @param passes the guest's pass counter at completion
     * @param runState the VM's run state at completion
     */
    record Reported(String hex, long passes, String runState) {
    }

    private void report() {
        MigrationStatus status;
        try {
            status = end.get();
        } catch (InterruptedException e) {
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        String line;
        if (status != MigrationStatus.COMPLETED) {
            // QEMU 7.2's destination query-migrate may carry no error-desc; the line then ends at the status
            line = PREFIX + status.qapiName() + vm.queryMigrate().errorDesc().map(desc -> ": " + desc).orElse("");
        } else {
            RunState state = vm.runState();
            if (state == RunState.RUNNING) {
                line = PREFIX + "completed: runstate running, no RAM digest (the guest is writing; "
                        + "send stop before the migration to get one)";
            } else {
                RamDigest digest = RamDigest.of(guest.guest().ramBlocks());
                line = String.format("%scompleted: RAM sha256:%s (%s), guest passes %d, runstate %s", PREFIX, digest.hex(),
                        Sizes.format(digest.bytes()), guest.passes(), state.qapiName());
            }
        }
        out.println(line);
        out.flush();
    }

    /** Stops watching; waits for a line being computed. */
    @Override
    public void close() {
        vm.removeStatusListener(listener);
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            // the thread is a daemon and ends on its own; keep the caller's interrupt
            Thread.currentThread().interrupt();
        }
    }
}
