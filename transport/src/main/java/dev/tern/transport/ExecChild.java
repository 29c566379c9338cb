package dev.tern.transport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process behind an {@code exec:} URI: {@code /bin/sh -c COMMAND}, as QEMU runs it, with
 * its standard input (outgoing) or output (incoming) redirected to a {@link Fifo} and the other
 * one to {@code /dev/null}. Its standard error goes to the {@link System.Logger} at
 * {@code DEBUG}; the last line is kept for error messages.
 */
final class ExecChild {
    private static final System.Logger LOG = System.getLogger(ExecChild.class.getName());
    private static final File DEV_NULL = new File("/dev/null");
    /** How long an error message waits to learn whether and how the command exited. */
    private static final Duration EXIT_REPORT_WAIT = Duration.ofSeconds(1);
    /** How long SIGTERM gets before SIGKILL. */
    private static final Duration TERM_WAIT = Duration.ofSeconds(2);
    /** How long a SIGKILLed child may take to be reaped before Tern gives up waiting. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final String description;
    private final Process process;
    private final Thread stderrPump;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String lastErrorLine;

    private ExecChild(String description, Process process) {
        this.description = description;
        this.process = process;
        this.stderrPump = Thread.ofPlatform()
                .name("tern-exec-stderr-" + process.pid())
                .daemon()
                .unstarted(this::pumpStderr);
    }

    /**
     * Starts {@code /bin/sh -c COMMAND}. An outer shell opens the FIFO for the redirection
     * and {@code exec}s the command's shell, so the process Tern waits for is the command's
     * and the command line reaches it unquoted and unchanged as {@code $1}.
     *
     * @param command the command line
     * @param fifo the FIFO the stream flows through
     * @param outgoing true if the command reads the stream, false if it writes it
     * @return the running child
     * @throws IOException if the shell cannot be started
     */
    static ExecChild start(String command, Path fifo, boolean outgoing) throws IOException {
        String script = outgoing ? "exec /bin/sh -c \"$1\" <\"$2\"" : "exec /bin/sh -c \"$1\" >\"$2\"";
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", script, "tern-exec", command, fifo.toString())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw TransportErrors.commandStartFailed(command, e);
        }
        ExecChild child = new ExecChild("exec:" + command, process);
        child.stderrPump.start();
        return child;
    }

    /**
     * Runs {@code action} when the process exits (at once if it has).
     *
     * @param action what to run, on a JDK thread
     */
    void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    /**
     * How the command exited, waiting briefly for it, for appending to an I/O error.
     *
     * @return {@code " (exec:CMD exited with status N: last stderr line)"}, or
     *     {@code " (exec:CMD is still running)"}
     */
    String exitDetail() {
        OptionalInt status = exitStatus();
        if (status.isEmpty()) {
            return " (" + description + " is still running)";
        }
        return " (" + describeExit(status.getAsInt()) + ")";
    }

    /**
     * The exit status if the command exits within a short wait.
     *
     * @return the status, or empty if it is still running
     */
    OptionalInt exitStatus() {
        if (!awaitExit(process, EXIT_REPORT_WAIT)) {
            return OptionalInt.empty();
        }
        // Its stderr reaches end of stream when it exits; the last line is then known.
        join(stderrPump, EXIT_REPORT_WAIT);
        return OptionalInt.of(process.exitValue());
    }

    /**
     * The command and how it exited, with its last line of standard error.
     *
     * @param status the exit status
     * @return e.g. {@code exec:foo exited with status 127: /bin/sh: 1: foo: not found}
     */
    String describeExit(int status) {
        String line = lastErrorLine;
        return description + " exited with status " + status + (line == null ? "" : ": " + line);
    }

    /**
     * Reaps the child: waits up to {@code grace} for it to exit on its own (its stream is
     * closed by then), then sends SIGTERM to it and its descendants, then SIGKILL. Idempotent.
     *
     * @param grace how long the child may take to finish after its stream closed
     */
    void close(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!awaitExit(process, grace)) {
            // Snapshot first: once the child dies its descendants are no longer ours to find.
            List<ProcessHandle> descendants = process.descendants().toList();
            LOG.log(Level.DEBUG, () -> description + " still running after " + grace.toMillis() + " ms: terminating");
            process.destroy();
            descendants.forEach(ProcessHandle::destroy);
            if (!awaitExit(process, TERM_WAIT)) {
                process.destroyForcibly();
                descendants.forEach(ProcessHandle::destroyForcibly);
                if (!awaitExit(process, KILL_WAIT)) {
                    LOG.log(Level.WARNING, () -> "Process " + process.pid() + " refused to die (" + description + ")");
                }
            }
        }
        join(stderrPump, TERM_WAIT);
        try {
            // Normally closed by the pump at end of stream; this covers a descendant that
            // keeps the pipe open.
            process.getErrorStream().close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing stderr of " + description + ": " + e);
        }
    }

    private void pumpStderr() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lastErrorLine = line;
                String text = line;
                LOG.log(Level.DEBUG, () -> description + " [" + process.pid() + "]: " + text);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "stderr of " + description + " ended: " + e);
        }
    }

    /**
     * Waits for a process without being cut short by interruption (the interrupt is kept).
     *
     * @param process the process
     * @return its exit status
     */
    static int awaitExit(Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static void join(Thread thread, Duration timeout) {
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
