package dev.tern.qmp.cli;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.qmp.QmpDispatcher;
import dev.tern.qmp.QmpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code run}: hosts one VM behind a QMP socket until a client sends {@code quit} or the process
 * gets SIGTERM (or SIGINT), then closes the socket, the engine and the guest's RAM in that order.
 */
final class RunCommand {
    /** How long a shutdown hook waits for the orderly close before the JVM goes down anyway. */
    private static final long HOOK_WAIT_SECONDS = 10;

    private RunCommand() {
    }

    /**
     * Runs the VM until {@code quit} or SIGTERM.
     *
     * @param options needs {@code --qmp}
     * @param out where the status lines go
     * @return the exit status, 0
     * @throws IOException if the socket cannot be created
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws IllegalArgumentException without {@code --qmp}
     */
    static int run(LaunchOptions options, PrintStream out) throws IOException, InterruptedException {
        Path socket = options.qmpSocket()
                .orElseThrow(() -> new IllegalArgumentException("run needs --qmp unix:PATH"));
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
        try (RamGuest guest = new RamGuest(options.ramBytes());
                MigrationControl vm = MigrationControl.create(guest, incoming ? StartMode.INCOMING : StartMode.RUNNING);
                QmpServer server = QmpServer.start(socket, new QmpDispatcher(vm, stop::countDown))) {
            options.incoming().filter(uri -> !uri.equals("defer")).ifPresent(vm::migrateIncoming);
            out.printf("tern: VM with %s of RAM (machine none, %s); QMP on unix:%s%n", Sizes.format(guest.ramBytes()),
                    vm.runState().qapiName(), server.socketPath());
            out.flush();
            stop.await();
            out.println("tern: shutting down");
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
}
