package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The second JVM's command line. */
class JvmCommandTest {
    @Test
    void repeatsAccessAndMemoryFlagsOnly() {
        List<String> input = List.of("--enable-native-access=ALL-UNNAMED,dev.tern.kvm",
                "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.lang=org.agrona",
                "-Xmx2g", "-Xss1m", "-ea", "-ea:dev.tern...", "--sun-misc-unsafe-memory-access=allow",
                "-XX:MaxDirectMemorySize=1g", "--module-path=/x", "-Djdk.module.main=dev.tern.qmp",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Dfile.encoding=UTF-8", "-XX:+UseZGC",
                "--add-opensx");
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED,dev.tern.kvm",
                "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.lang=org.agrona",
                "-Xmx2g", "-Xss1m", "-ea", "-ea:dev.tern...", "--sun-misc-unsafe-memory-access=allow",
                "-XX:MaxDirectMemorySize=1g"), JvmCommand.repeated(input));
    }

    @Test
    void aTrailingTwoWordFlagWithoutItsValueIsDropped() {
        assertEquals(List.of(), JvmCommand.repeated(List.of("--add-opens")));
    }

    @Test
    void currentJvmOnTheClassPath() {
        // surefire runs these tests on the class path
        JvmCommand jvm = JvmCommand.current();
        assertTrue(Files.isExecutable(jvm.java()), jvm.java().toString());
        assertEquals(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()), jvm.launch());
        assertTrue(jvm.flags().contains("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"), jvm.flags().toString());
        List<String> command = jvm.command(List.of("run", "--qmp", "unix:/q"));
        assertEquals(jvm.java().toString(), command.getFirst());
        assertEquals(List.of(Main.class.getName(), "run", "--qmp", "unix:/q"), command.subList(command.size() - 4,
                command.size()));
    }
}
