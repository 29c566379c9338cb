package dev.tern.qmp.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@code run} VM in a second JVM: started with this JVM's command line, its output (stdout and
 * stderr) read line by line, and destroyed on {@link #close()} or, if this JVM is stopped
 * first, by a shutdown hook, so that no process stays behind.
 */
final class ChildVm implements AutoCloseable {
    /** How long {@link #close()} lets the process end after SIGTERM before SIGKILL. */
    private static final long TERM_GRACE_SECONDS = 5;
    /** Marks the end of the output in the line queue. */
    private static final String END = new String("end of output");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = new ArrayList<>();
    private final Thread reader;
    private final Thread hook;

    private ChildVm(Process process, Consumer<String> echo) {
        this.process = process;
        this.reader = Thread.ofPlatform().name("tern-child-output").daemon().unstarted(() -> read(echo));
        this.hook = Thread.ofPlatform().name("tern-child-destroy").unstarted(this::terminate);
    }

    /**
     * Starts {@code java ... Main} with the given arguments.
     *
     * @param jvm the JVM command line
     * @param mainArguments the subcommand and its options
     * @param echo gets every output line as it arrives
     * @return the running process
     * @throws IOException if the process cannot be started
     */
    static ChildVm start(JvmCommand jvm, List<String> mainArguments, Consumer<String> echo) throws IOException {
        Process process = new ProcessBuilder(jvm.command(mainArguments)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        ChildVm child = new ChildVm(process, echo);
        Runtime.getRuntime().addShutdownHook(child.hook);
        child.reader.start();
        return child;
    }

    private void read(Consumer<String> echo) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (output) {
                    output.add(line);
                }
                echo.accept(line);
                lines.add(line);
            }
        } catch (IOException e) {
            // the process was destroyed: its output ends here
        } finally {
            lines.add(END);
        }
    }

    /**
     * Waits for an output line.
     *
     * @param match what the line must satisfy; earlier lines are skipped
     * @param timeout how long to wait
     * @return the line
     * @throws IOException if the process ends or the time runs out first, with its output so far
     * @throws InterruptedException if interrupted
     */
    String awaitLine(Predicate<String> match, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException("the destination JVM did not answer within " + timeout.toSeconds() + " s; its output: "
                        + output());
            }
            if (line == END) {
                lines.add(END);
                throw new IOException("the destination JVM ended (exit status " + exitStatus() + "); its output: "
                        + output());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    private String exitStatus() throws InterruptedException {
        return process.waitFor(TERM_GRACE_SECONDS, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "unknown";
    }

    private String output() {
        synchronized (output) {
            return output.isEmpty() ? "(none)" : String.join(" | ", output);
        }
    }

    /**
     * Waits for the process to end by itself.
     *
     * @param timeout how long to wait
     * @return the exit status
     * @throws IOException if it is still running after {@code timeout}
     * @throws InterruptedException if interrupted
     */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("the destination JVM did not exit within " + timeout.toSeconds() + " s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(TERM_GRACE_SECONDS));
        return process.exitValue();
    }

    /**
     * The process id, for messages.
     *
     * @return the pid
     */
    long pid() {
        return process.pid();
    }

    /**
     * SIGTERM, so that the second JVM closes its socket and guest, then SIGKILL if it is still
     * there after a grace period.
     */
    private void terminate() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(TERM_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the process if it still runs (SIGTERM, then SIGKILL after a grace period) and waits for it. */
    @Override
    public void close() {
        terminate();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(TERM_GRACE_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // this JVM is shutting down: the hook runs (and destroys a process that is gone)
            }
        }
    }
}
