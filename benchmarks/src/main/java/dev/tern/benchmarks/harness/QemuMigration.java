package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.qmp.json.QmpJson;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: QEMU 7.2 migrating a {@code -M none} machine (RAM, no vCPU, no device) from one
 * process to another over TCP loopback, driven over QMP the way the spec's appendix C describes.
 * The source starts with {@code -S}. When the scenario has data pages, the source's RAM is a
 * {@code memory-backend-file} in {@code /dev/shm} written with the same {@link RamPattern} as
 * Tern's guest before QEMU starts, and both ends preallocate their RAM as Tern's guests do;
 * otherwise it is plain {@code -M none -m SIZE}, whose untouched RAM reads as the kernel's zero page.
 */
final class QemuMigration {
    /** The QEMU binary the baseline runs. */
    static final String QEMU = "qemu-system-x86_64";
    private static final long POLL_MILLIS = 20;
    private static final long LOG_EVERY_MILLIS = 1000;
    private static final long SEED = 0x7e4a_5eedL;

    private final Scenario scenario;
    private final PrintStream log;

    QemuMigration(Scenario scenario, PrintStream log) {
        this.scenario = scenario;
        this.log = log;
    }

    /**
     * Finds QEMU on the PATH.
     *
     * @return its path, if installed
     */
    static Optional<Path> installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, QEMU);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs the scenario.
     *
     * @param qemu the QEMU binary
     * @return what QEMU's {@code query-migrate} reported
     * @throws IOException if QEMU cannot be started or driven
     * @throws InterruptedException if interrupted
     */
    Measurement run(Path qemu) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tern-harness-qemu-");
        Optional<Path> memory = scenario.filledPerMille() == 0 ? Optional.empty()
                : Optional.of(Path.of("/dev/shm", dir.getFileName() + ".ram"));
        List<Process> processes = new ArrayList<>();
        try {
            if (memory.isPresent()) {
                long filled = fill(memory.get());
                log.printf("  %s: %d pages filled%n", memory.get(), filled);
            }
            Process src = start(qemu, dir.resolve("src.qmp"), memory, false, dir.resolve("src.log"));
            processes.add(src);
            Process dst = start(qemu, dir.resolve("dst.qmp"), Optional.empty(), true, dir.resolve("dst.log"));
            processes.add(dst);
            try (QemuMonitor source = QemuMonitor.connect("qemu source", dir.resolve("src.qmp"), src);
                    QemuMonitor destination = QemuMonitor.connect("qemu destination", dir.resolve("dst.qmp"), dst)) {
                // multifd needs its capability and channel count on the destination before it listens
                setTransfer(destination, true);
                destination.execute("migrate-incoming", QmpJson.object().put("uri", "tcp:127.0.0.1:0"));
                JsonNode address = destination.execute("query-migrate", QmpJson.object()).path("socket-address").path(0);
                setTransfer(source, false);
                source.execute("migrate-set-parameters", QmpJson.object().put("max-bandwidth", scenario.maxBandwidth())
                        .put("downtime-limit", scenario.downtimeLimitMillis()));
                long start = System.nanoTime();
                source.execute("migrate", QmpJson.object().put("uri", "tcp:127.0.0.1:" + address.path("port").asText()));
                Measurement m = follow(source, start);
                quit(source, src);
                quit(destination, dst);
                return m;
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (memory.isPresent()) {
                Files.deleteIfExists(memory.get());
            }
            for (String f : List.of("src.qmp", "dst.qmp", "src.log", "dst.log")) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Sets the scenario's multifd or compress capability and its parameters on one end. The
     * destination of a compressed migration keeps its default {@code decompress-threads} (2).
     */
    private void setTransfer(QemuMonitor monitor, boolean destination) throws IOException {
        Transfer transfer = scenario.transfer();
        if (!transfer.multifd() && !transfer.compress()) {
            return;
        }
        String capability = transfer.multifd() ? "multifd" : "compress";
        ObjectNode state = QmpJson.object().put("capability", capability).put("state", true);
        ObjectNode capabilities = QmpJson.object();
        capabilities.putArray("capabilities").add(state);
        monitor.execute("migrate-set-capabilities", capabilities);
        if (transfer.multifd()) {
            monitor.execute("migrate-set-parameters", QmpJson.object().put("multifd-channels", transfer.multifdChannels())
                    .put("multifd-compression", transfer.multifdCompression().qapiName()));
        } else if (!destination) {
            monitor.execute("migrate-set-parameters", QmpJson.object().put("compress-threads", transfer.compressThreads()));
        }
    }

    private long fill(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE); Arena arena = Arena.ofConfined()) {
            MemorySegment ram = channel.map(FileChannel.MapMode.READ_WRITE, 0, scenario.ramBytes(), arena);
            return RamPattern.fill(ram, scenario.filledPerMille(), scenario.pattern(), SEED);
        }
    }

    private Process start(Path qemu, Path qmp, Optional<Path> memory, boolean incoming, Path logFile) throws IOException {
        long mib = scenario.ramBytes() >> 20;
        List<String> command = new ArrayList<>(List.of(qemu.toString(), "-nodefaults", "-display", "none", "-nographic",
                "-m", mib + "M", "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        if (scenario.filledPerMille() == 0) {
            command.addAll(List.of("-M", "none"));
        } else {
            // both ends need the block to carry the backend's id; only the source's is a prepared file
            // prealloc: Tern's guests are allocated zeroed, so their RAM is faulted in before the migration;
            // without it QEMU's source pays ~1M shmem page faults while it migrates (seconds on this VM)
            String backend = memory.map(path -> "memory-backend-file,id=mem,size=" + mib + "M,mem-path=" + path
                    + ",share=on,prealloc=on").orElse("memory-backend-ram,id=mem,size=" + mib + "M,prealloc=on");
            command.addAll(List.of("-object", backend, "-machine", "none,memory-backend=mem"));
        }
        command.add(incoming ? "-incoming" : "-S");
        if (incoming) {
            command.add("defer");
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }

    private Measurement follow(QemuMonitor source, long start) throws IOException, InterruptedException {
        long lastLog = start;
        while (true) {
            JsonNode info = source.execute("query-migrate", QmpJson.object());
            long now = System.nanoTime();
            long elapsed = (now - start) / 1_000_000;
            String status = info.path("status").asText();
            if (now - lastLog >= LOG_EVERY_MILLIS * 1_000_000 || status.equals("completed")) {
                log.println("  " + Progress.line(status.equals("completed") ? info.path("total-time").asLong() : elapsed,
                        info));
                lastLog = now;
            }
            switch (status) {
                case "completed", "failed", "cancelled" -> {
                    return Measurement.of(scenario, status, info, elapsed, 0,
                            info.path("error-desc").asText(""));
                }
                default -> {
                }
            }
            if (elapsed > scenario.limit().toMillis()) {
                source.execute("migrate_cancel", QmpJson.object());
                return Measurement.of(scenario, "no switchover", info, elapsed, 0, "");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static void quit(QemuMonitor monitor, Process process) throws InterruptedException {
        try {
            monitor.execute("quit", QmpJson.object());
        } catch (IOException e) {
            // QEMU may close the socket before its reply arrives
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
