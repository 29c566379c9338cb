package dev.tern.qmp.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** {@code tern run} on a thread of the test JVM, its output captured, driven through its QMP socket. */
final class InProcessLauncher implements AutoCloseable {
    private final Path socket;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit;

    private InProcessLauncher(Path socket, List<String> options) {
        this.socket = socket;
        List<String> args = new ArrayList<>(List.of("run", "--qmp", "unix:" + socket));
        args.addAll(options);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        this.exit = CompletableFuture.supplyAsync(() -> Main.run(args, o, e));
    }

    /** Starts {@code run --qmp unix:SOCKET OPTIONS...} and waits until it serves QMP. */
    static InProcessLauncher start(Path socket, String... options) throws Exception {
        InProcessLauncher launcher = new InProcessLauncher(socket, List.of(options));
        launcher.awaitOutput(text -> text.contains("QMP on unix:"));
        return launcher;
    }

    /** Waits until the output satisfies {@code condition}; fails if run ends first or after 60 s. */
    String awaitOutput(Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String text = output();
            if (condition.test(text)) {
                return text;
            }
            if (exit.isDone()) {
                throw new AssertionError("run ended with " + exit.join() + ": " + text + errors());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; run's output so far: " + text + errors());
            }
            Thread.sleep(5);
        }
    }

    SocketQmp connect() throws IOException {
        return SocketQmp.connect("vm", socket);
    }

    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Sends quit and returns run's exit status. */
    int quit() throws Exception {
        try (SocketQmp qmp = connect()) {
            qmp.execute("quit");
        }
        return exit.get(60, TimeUnit.SECONDS);
    }

    /** Quits if still running. */
    @Override
    public void close() throws IOException {
        if (!exit.isDone()) {
            try {
                quit();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("run did not end after quit", e);
            }
        }
    }
}
