package dev.tern.core.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/**
 * A QEMU 7.2 {@code -M none} machine as a migration peer (spec appendix C): guest RAM and no CPU
 * or device, its RAM backed by a file in {@code /dev/shm} so the test can fill it before a
 * source starts and read what a destination received, driven over QMP.
 *
 * <pre>
 * qemu-system-x86_64 -M none -m SIZE -nodefaults -display none -nographic
 *     -qmp unix:SOCK,server=on,wait=off [-S] [-incoming defer]
 *     -object memory-backend-file,id=mem,size=SIZE,mem-path=/dev/shm/NAME,share=on
 *     -machine memory-backend=mem
 * </pre>
 *
 * The RAM block is then named after the backend id, {@value #RAM_BLOCK} (QEMU's MEM_SIZE record
 * carries it). {@link #close()} quits QEMU, kills it if it does not go, and deletes the RAM file:
 * use it in try-with-resources so no process or file outlives a failing test.
 */
final class QemuPeer implements AutoCloseable {
    /** The executable. */
    static final String QEMU = "qemu-system-x86_64";
    /** The RAM block's name: the memory backend's id. */
    static final String RAM_BLOCK = "mem";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path ramFile;
    private final Path socket;
    private final Path stderr;
    private final long ramBytes;
    private final Thread killer;
    private QmpClient qmp;

    private QemuPeer(Builder b) throws IOException {
        int n = COUNTER.incrementAndGet();
        String name = "tern-interop-" + ProcessHandle.current().pid() + "-" + n;
        this.ramBytes = b.ramBytes;
        this.ramFile = Path.of("/dev/shm", name);
        this.socket = b.dir.resolve("qmp-" + n + ".sock");
        this.stderr = b.dir.resolve("qemu-" + n + ".stderr");
        if (b.contents != null) {
            fill(ramFile, ramBytes, b.contents);
        }
        List<String> command = new ArrayList<>(List.of(QEMU, "-M", "none", "-m", (ramBytes >> 20) + "M",
                "-nodefaults", "-display", "none", "-nographic",
                "-qmp", "unix:" + socket + ",server=on,wait=off"));
        if (b.paused) {
            command.add("-S");
        }
        if (b.incomingDefer) {
            command.addAll(List.of("-incoming", "defer"));
        }
        command.addAll(List.of(
                "-object", "memory-backend-file,id=" + RAM_BLOCK + ",size=" + ramBytes + ",mem-path=" + ramFile
                        + ",share=on",
                "-machine", "memory-backend=" + RAM_BLOCK));
        try {
            this.process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(ramFile);
            throw e;
        }
        // A JVM that ends without close() (a killed test run) must not leave QEMU running.
        this.killer = new Thread(process::destroyForcibly, "qemu-peer-killer-" + n);
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            this.qmp = QmpClient.connect(socket, process::isAlive, START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            String message = "QEMU did not come up: " + e.getMessage() + describe(command);
            close();
            throw new IOException(message, e);
        }
    }

    /**
     * Skips the calling test, with a message saying why, when QEMU is not installed.
     */
    static void assumeInstalled() {
        Assumptions.assumeTrue(executable().isPresent(), QEMU + " is not on PATH: the QEMU 7.2 interoperability "
                + "tests need it (apt-get install qemu-system-x86; .ci/run installs it)");
    }

    private static Optional<Path> executable() {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, QEMU))) {
                return Optional.of(Path.of(dir, QEMU));
            }
        }
        return Optional.empty();
    }

    /**
     * A builder for a peer whose QMP socket and log live in {@code dir}.
     *
     * @param dir a short directory path (unix socket paths are limited to 107 bytes)
     * @return the builder
     */
    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    private static void fill(Path file, long bytes, Consumer<MemorySegment> contents) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE); Arena arena = Arena.ofConfined()) {
            ch.truncate(bytes);
            MemorySegment ram = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            contents.accept(ram);
            ram.force();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    // ---- QMP ---------------------------------------------------------------------------------

    /**
     * Sends a QMP command.
     *
     * @param json the command
     * @return QEMU's reply line ({@code {"return": ...}} or {@code {"error": ...}})
     * @throws UncheckedIOException if QEMU is gone or does not answer
     */
    String qmp(String json) {
        try {
            return qmp.execute(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() + stderrSuffix(), e);
        }
    }

    /**
     * Sends a command that must succeed.
     *
     * @param json the command
     * @return the {@code return} member
     */
    Object ok(String json) {
        String reply = qmp(json);
        Map<String, Object> parsed = Json.parseObject(reply);
        if (!parsed.containsKey("return")) {
            fail("QEMU refused " + json + ": " + reply + stderrSuffix());
        }
        return parsed.get("return");
    }

    /** {@code migrate-incoming} (QEMU started with {@code -incoming defer}). */
    void migrateIncoming(String uri) {
        ok("{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": " + Json.quote(uri) + "}}");
    }

    /** {@code migrate}. */
    void migrate(String uri) {
        ok("{\"execute\": \"migrate\", \"arguments\": {\"uri\": " + Json.quote(uri) + "}}");
    }

    /** {@code migrate-set-capabilities} with one capability. */
    void setCapability(String capability, boolean state) {
        ok("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": [{\"capability\": "
                + Json.quote(capability) + ", \"state\": " + state + "}]}}");
    }

    /** {@code query-migrate}'s return value. */
    @SuppressWarnings("unchecked")
    Map<String, Object> queryMigrate() {
        return (Map<String, Object>) ok("{\"execute\": \"query-migrate\"}");
    }

    /**
     * The migration status as {@code query-migrate} reports it.
     *
     * @return for example {@code "active"}; {@code "none"} when QEMU reports no status yet
     */
    String status() {
        return String.valueOf(queryMigrate().getOrDefault("status", "none"));
    }

    /**
     * The VM's run state ({@code query-status}'s {@code status}).
     *
     * @return for example {@code "running"} or {@code "prelaunch"}
     */
    @SuppressWarnings("unchecked")
    String runState() {
        return String.valueOf(((Map<String, Object>) ok("{\"execute\": \"query-status\"}")).get("status"));
    }

    /**
     * Polls {@code query-status} until the run state is {@code expected}: QEMU's source changes
     * its run state (to {@code postmigrate}, or back to {@code running}) just after the
     * migration status.
     *
     * @param expected for example {@code "postmigrate"}
     * @param timeout how long to wait
     */
    void awaitRunState(String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String now;
        while (!(now = runState()).equals(expected)) {
            if (System.nanoTime() > deadline) {
                fail("QEMU's run state is " + now + ", not " + expected + stderrSuffix());
            }
            pause(5);
        }
    }

    /**
     * The listening port after {@code migrate-incoming tcp:HOST:0} (query-migrate's
     * {@code socket-address}).
     *
     * @return the port
     */
    @SuppressWarnings("unchecked")
    int incomingPort() {
        List<Map<String, Object>> addresses = (List<Map<String, Object>>) queryMigrate().get("socket-address");
        if (addresses == null || addresses.isEmpty()) {
            fail("QEMU reports no socket-address: " + queryMigrate() + stderrSuffix());
        }
        return Integer.parseInt(String.valueOf(addresses.getFirst().get("port")));
    }

    /**
     * Polls {@code query-migrate} until the status is {@code expected}. Fails at once, with
     * {@code error-desc} and QEMU's stderr, when it becomes {@code failed} instead or QEMU exits
     * (a destination exits when loading fails).
     *
     * @param expected for example {@code "completed"}
     * @param timeout how long to wait
     * @return the last {@code query-migrate}
     */
    Map<String, Object> awaitStatus(String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                fail("QEMU exited with status " + process.exitValue() + " while waiting for migration status "
                        + expected + stderrSuffix());
            }
            Map<String, Object> info = queryMigrate();
            Object status = info.get("status");
            if (expected.equals(status)) {
                return info;
            }
            if ("failed".equals(status)) {
                fail("QEMU's migration failed while waiting for " + expected + ": " + info + stderrSuffix());
            }
            if (System.nanoTime() > deadline) {
                fail("QEMU's migration did not reach " + expected + " within " + timeout + ": " + info
                        + stderrSuffix());
            }
            pause(5);
        }
    }

    /**
     * Polls {@code query-migrate} until the migration ended: {@code completed}, {@code failed} or
     * {@code cancelled}. Fails with QEMU's stderr if QEMU exits or the timeout passes first.
     *
     * @param timeout how long to wait
     * @return the last {@code query-migrate}
     */
    Map<String, Object> awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                fail("QEMU exited with status " + process.exitValue() + " before its migration ended"
                        + stderrSuffix());
            }
            Map<String, Object> info = queryMigrate();
            if (List.of("completed", "failed", "cancelled").contains(String.valueOf(info.get("status")))) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                fail("QEMU's migration did not end within " + timeout + ": " + info + stderrSuffix());
            }
            pause(5);
        }
    }

    /**
     * Waits for QEMU to exit on its own (a destination whose load failed).
     *
     * @param timeout how long to wait
     * @return the exit status, empty if still running
     */
    Optional<Integer> awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? Optional.of(process.exitValue()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    // ---- RAM and diagnostics -----------------------------------------------------------------

    /**
     * The file backing QEMU's RAM block {@value #RAM_BLOCK}.
     *
     * @return the path in {@code /dev/shm}
     */
    Path ramFile() {
        return ramFile;
    }

    /**
     * Maps QEMU's RAM file read-only.
     *
     * @param arena the mapping's lifetime
     * @return the RAM, {@link #ramBytes()} long
     */
    MemorySegment mapRam(Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(ramFile, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ramBytes, arena);
        }
    }

    /**
     * The RAM size.
     *
     * @return bytes
     */
    long ramBytes() {
        return ramBytes;
    }

    /**
     * Everything QEMU wrote to stdout and stderr so far.
     *
     * @return the text
     */
    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read QEMU's stderr: " + e.getMessage() + ")";
        }
    }

    /**
     * QEMU's stderr, formatted to be appended to an assertion message.
     *
     * @return the suffix
     */
    String stderrSuffix() {
        String text = stderr().strip();
        return "\n--- QEMU stderr ---\n" + (text.isEmpty() ? "(empty)" : text);
    }

    private String describe(List<String> command) {
        return "\ncommand: " + String.join(" ", command) + stderrSuffix();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Quits QEMU ({@code quit} over QMP, then SIGTERM, then SIGKILL), waits for it to exit and
     * deletes the RAM file and the socket. Safe to call more than once and after QEMU exited.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive() && qmp != null) {
                try {
                    qmp.execute("{\"execute\": \"quit\"}");
                } catch (IOException e) {
                    // QEMU may close the socket before it answers; the exit is what matters.
                }
            }
            if (!waitFor(Duration.ofSeconds(3))) {
                process.destroy();
                if (!waitFor(Duration.ofSeconds(2))) {
                    process.destroyForcibly();
                    waitFor(Duration.ofSeconds(10));
                }
            }
        } finally {
            try {
                if (qmp != null) {
                    qmp.close();
                }
            } catch (IOException e) {
                // nothing left to do with a socket that would not close
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
            try {
                Files.deleteIfExists(ramFile);
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete QEMU's files", e);
            }
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /** Options of a {@link QemuPeer}. */
    static final class Builder {
        private final Path dir;
        private long ramBytes = 64L << 20;
        private boolean paused;
        private boolean incomingDefer;
        private Consumer<MemorySegment> contents;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /** The RAM size, a multiple of 1 MiB (QEMU's {@code -m} takes MiB). Default 64 MiB. */
        Builder ram(long bytes) {
            if (bytes <= 0 || bytes % (1 << 20) != 0) {
                throw new IllegalArgumentException("QEMU RAM size " + bytes + " is not a positive multiple of 1 MiB");
            }
            this.ramBytes = bytes;
            return this;
        }

        /** {@code -S}: the machine starts in {@code prelaunch}, not running. */
        Builder paused() {
            this.paused = true;
            return this;
        }

        /** {@code -incoming defer}: the machine waits for {@code migrate-incoming}. */
        Builder incomingDefer() {
            this.incomingDefer = true;
            return this;
        }

        /**
         * Writes the RAM file before QEMU starts, so a source has these contents to send.
         *
         * @param contents fills the mapped file (zero-filled when called)
         */
        Builder ramContents(Consumer<MemorySegment> contents) {
            this.contents = Objects.requireNonNull(contents, "contents");
            return this;
        }

        /**
         * Starts QEMU and connects to its QMP socket.
         *
         * @return the running peer
         * @throws IOException if QEMU does not start; the message holds its stderr
         */
        QemuPeer start() throws IOException {
            return new QemuPeer(this);
        }
    }
}
