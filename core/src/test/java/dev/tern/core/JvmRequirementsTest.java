package dev.tern.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without Agrona's JVM flag the engine refuses to start and names the flag. */
class JvmRequirementsTest {

    @Test
    void missingAgronaFlagIsNamed() throws Exception {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("--add-opens java.base/jdk.internal.misc=ALL-UNNAMED"), out);
    }

    @Test
    void presentFlagPasses() {
        JvmRequirements.check(); // surefire runs tests with the flag
    }

    /** Runs in a JVM started without the flag. */
    static final class Probe {
        public static void main(String[] args) {
            try {
                JvmRequirements.check();
                System.exit(0);
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }
}
