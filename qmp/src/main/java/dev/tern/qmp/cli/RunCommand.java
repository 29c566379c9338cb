package dev.tern.qmp.cli;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.qmp.QmpDispatcher;
import dev.tern.qmp.QmpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code run}: hosts one guest ({@link HostedGuest}: the reference guest, or a KVM guest with
 * {@code --guest kvm}) behind a QMP socket until a client sends
 * {@code quit} or the process gets SIGTERM (or SIGINT), then closes the socket, the engine and
 * the guest in that order.
 *
 * <p>Without {@code --incoming} the guest runs from the start (QEMU without {@code -S}); with
 * {@code --incoming defer} it waits for {@code migrate-incoming}; with {@code --incoming URI} it
 * listens on URI at once, as QEMU's {@code -incoming URI}. An incoming KVM guest's vCPUs are
 * created but not run until the migration (or {@code cont}) starts them.
 */
final class RunCommand {
    /** How long a shutdown hook waits for the orderly close before the JVM goes down anyway. */
    private static final long HOOK_WAIT_SECONDS = 10;

    private RunCommand() {
    }

    /**
     * Runs the VM until {@code quit} or SIGTERM.
     *
     * @param options the socket, the incoming URI and the guest
     * @param out where the status lines go
     * @return the exit status, 0
     * @throws IOException if the socket cannot be created
     * @throws InterruptedException if the waiting thread is interrupted
     */
    static int run(LaunchOptions options, PrintStream out) throws IOException, InterruptedException {
        Path socket = options.qmpSocket().orElseThrow(() -> new IllegalArgumentException("run needs --qmp unix:PATH"));
        boolean incoming = options.incoming().isPresent();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("tern-qmp-shutdown").unstarted(() -> {
            stop.countDown();
            try {
                stopped.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        GuestOptions.Resolved resolved = options.guest().resolve();
        try (HostedGuest guest = incoming ? resolved.options().hostIncoming() : resolved.options().host();
                MigrationControl vm = MigrationControl.create(guest.guest(),
                        incoming ? StartMode.INCOMING : StartMode.RUNNING);
                Report _ = new Report(options.reportDigestOnComplete()
                        ? Optional.of(CompletionReport.start(vm, guest, out)) : Optional.empty());
                QmpServer server = QmpServer.start(socket, new QmpDispatcher(vm, stop::countDown))) {
            options.incoming().filter(uri -> !uri.equals("defer")).ifPresent(vm::migrateIncoming);
            if (!incoming) {
                guest.start();
            }
            out.printf("tern: VM with %s (%s); QMP on unix:%s%n", resolved.options().describe(), vm.runState().qapiName(),
                    server.socketPath());
            out.flush();
            stop.await();
            // The guest's pass counter at the end: a destination that kept running shows it counted on.
            out.println("tern: shutting down (guest passes " + guest.passes() + ")");
            out.flush();
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (SIGTERM): the hook is running and now returns
            }
        }
        return 0;
    }

    /** The optional completion report as one resource of the try block. */
    private record Report(Optional<CompletionReport> report) implements AutoCloseable {
        @Override
        public void close() {
            report.ifPresent(CompletionReport::close);
        }
    }
}
