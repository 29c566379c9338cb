package dev.tern.core.stream.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code qemu-system-x86_64 -M none} peer for interoperability tests (spec appendix C), with its
 * QMP socket and its output in a private directory. {@link #close()} kills it.
 */
final class QemuProcess implements AutoCloseable {
    static final String BINARY = "qemu-system-x86_64";

    private final Process process;
    private final Path log;
    private final Qmp qmp;

    private QemuProcess(Process process, Path log, Qmp qmp) {
        this.process = process;
        this.log = log;
        this.qmp = qmp;
    }

    /** @return whether the QEMU binary is on the PATH */
    static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts QEMU with 64 MiB of RAM and no devices.
     *
     * @param dir a private directory for the QMP socket and the log
     * @param name a name for the files
     * @param extra further arguments
     * @return the running process, connected over QMP
     * @throws IOException if it cannot start
     */
    static QemuProcess start(Path dir, String name, List<String> extra) throws IOException {
        Path socket = dir.resolve(name + ".qmp");
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(BINARY, "-M", "none", "-m", "64", "-nodefaults", "-display",
                "none", "-nographic", "-qmp", "unix:" + socket + ",server=on,wait=off"));
        command.addAll(extra);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            return new QemuProcess(p, log, Qmp.connect(socket, p));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw new IOException(e.getMessage() + "; QEMU said: " + output(log), e);
        }
    }

    /** @return the QMP client */
    Qmp qmp() {
        return qmp;
    }

    /** @return what QEMU printed so far */
    String output() {
        return output(log);
    }

    private static String output(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        qmp.close();
        // Children first: an exec:cat still holding the pipe would outlive QEMU otherwise.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
