package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Runs src/test/python/qmp_client.py against a socket and fails with its output. */
final class PythonClient {
    static final Path SCRIPT = Path.of("src", "test", "python", "qmp_client.py");

    private PythonClient() {
    }

    static void assumePython() {
        boolean present;
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor() == 0;
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            present = false;
        }
        Assumptions.assumeTrue(present, "python3 is not installed");
    }

    static void runAgainst(Path socket) throws IOException, InterruptedException {
        if (!Files.exists(SCRIPT)) {
            throw new IllegalStateException(SCRIPT.toAbsolutePath() + " not found (tests run from the qmp module)");
        }
        Process p = new ProcessBuilder("python3", SCRIPT.toString(), socket.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> "qmp_client.py failed:\n" + output);
    }
}
