package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code run} command in its own JVM, driven over its QMP socket by the plain
 * Python client (code that is not Tern's), the way a management tool drives QEMU.
 */
@Timeout(120)
class LauncherProcessTest {
    private static final Path SCRIPT = Path.of("src", "test", "python", "qmp_client.py");

    @TempDir
    Path dir;

    @Test
    void pythonClientDrivesTheLauncher() throws Exception {
        Assumptions.assumeTrue(onPath("python3"), "python3 is not installed");
        Path socket = dir.resolve("vm.qmp");
        Process vm = launch("run", "--qmp", "unix:" + socket, "--ram", "16M");
        try {
            awaitSocket(socket, vm);
            Process client = new ProcessBuilder("python3", SCRIPT.toString(), socket.toString())
                    .redirectErrorStream(true).start();
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(client.waitFor(60, TimeUnit.SECONDS), "python client hung");
            assertEquals(0, client.exitValue(), output);
            assertTrue(output.contains("all checks passed"), output);

            quit(socket);
            assertTrue(vm.waitFor(30, TimeUnit.SECONDS), "launcher did not exit after quit");
            assertEquals(0, vm.exitValue(), new String(vm.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(Files.notExists(socket), "socket file left behind");
        } finally {
            vm.destroyForcibly();
        }
    }

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("vm.log").toFile())
                .start();
    }

    private void awaitSocket(Path socket, Process vm) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // The file appears at bind(), before listen(): wait until a connection is accepted.
        while (!accepting(socket)) {
            if (!vm.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("launcher did not open its QMP socket: "
                        + Files.readString(dir.resolve("vm.log")));
            }
            Thread.sleep(20);
        }
    }

    private static boolean accepting(Path socket) {
        if (Files.notExists(socket)) {
            return false;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void quit(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"quit\"}\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (c.read(sink) >= 0) {
                sink.clear();
            }
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
