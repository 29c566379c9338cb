package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.spi.MigrationEngineProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int main(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static boolean enginePresent() {
        return ServiceLoader.load(MigrationEngineProvider.class).findFirst().isPresent();
    }

    @Test
    void usage() {
        assertEquals(2, main());
        assertTrue(err().contains("usage: tern run --qmp unix:PATH"), err());
        assertEquals(0, main("--help"));
        assertTrue(out().contains("tern demo"), out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fly                                | unknown command fly",
        "run --qmp                          | option --qmp needs a value",
        "run --qmp tcp:1:2                  | --qmp takes unix:PATH, not tcp:1:2",
        "run --qmp unix:/s,reconnect=1      | unsupported socket option reconnect=1",
        "run --qmp unix:                    | --qmp unix: needs a path",
        "run --colour blue                  | unknown option --colour",
        "demo --ram 1000                    | --ram must be a positive multiple of 4 KiB, not 1000 bytes",
        "demo --ram lots                    | not a size: 'lots'",
        "run                                | run needs --qmp unix:PATH",
    })
    void usageErrors(String words, String message) {
        assertEquals(2, main(words.trim().split(" +")));
        assertTrue(err().contains("tern: " + message), err());
    }

    @Test
    void withoutAnEngineItSaysSo() throws Exception {
        // A JVM whose class path lacks tern-core: the launcher must say what is missing.
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("core" + java.io.File.separator + "target")
                        && !entry.contains("tern-core-"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Main.class.getName(), "run", "--qmp", "unix:" + dir.resolve("s"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("no Tern engine found"), output);
        assertTrue(!Files.exists(dir.resolve("s")), "socket left behind");
    }

    @Test
    void demoShowsSettingsAndRejections() {
        assertTrue(enginePresent(), "tern-core is a dependency of qmp");
        assertEquals(0, main("demo"), err());
        assertTrue(out().contains("\"desc\": \"Multifd is not compatible with compress\""), out());
        assertTrue(out().contains("\"desc\": \"Parameter 'compress-level' expects uint8_t\""), out());
        assertTrue(out().contains("enabled: xbzrle, events"), out());
    }

    @Test
    void runServesUntilQuit() throws Exception {
        assertTrue(enginePresent(), "tern-core is a dependency of qmp");
        Path socket = dir.resolve("vm.qmp");
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(
                () -> main("run", "--qmp", "unix:" + socket + ",server=on,wait=off", "--ram", "8M"));
        try (SocketChannel c = connect(socket, run)) {
            c.write(ByteBuffer.wrap("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"quit\"}\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            String all = new String(Drain.readAll(c), StandardCharsets.US_ASCII);
            assertTrue(all.endsWith("{\"return\": {}}\r\n{\"return\": {}}\r\n"), all);
        }
        assertEquals(0, run.get());
        assertTrue(out().contains("QMP on unix:" + socket), out());
    }

    private static SocketChannel connect(Path socket, CompletableFuture<Integer> run) throws IOException {
        // the server is up once the socket exists; if run ended instead, report why
        while (!Files.exists(socket)) {
            if (run.isDone()) {
                throw new AssertionError("run ended with " + run.join());
            }
            Thread.onSpinWait();
        }
        // bind() creates the file before listen(): a connect in between is refused, so retry.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
                return c;
            } catch (java.net.ConnectException e) {
                c.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Reads a channel to its end. */
    private static final class Drain {
        static byte[] readAll(SocketChannel c) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) >= 0) {
                all.write(b.array(), 0, b.position());
                b.clear();
            }
            return all.toByteArray();
        }
    }

    @ParameterizedTest
    @CsvSource({"4096, 4096", "64M, 67108864", "64m, 67108864", "1G, 1073741824", "2k, 2048", "1T, 1099511627776"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "-1", "1.5G", "8388608T", "ten"})
    void badSizes(String text) {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    }

    @Test
    void sizeFormatting() {
        assertEquals("64 MiB", Sizes.format(64L << 20));
        assertEquals("4097 B", Sizes.format(4097));
        assertEquals("0 B", Sizes.format(0));
    }

    @Test
    void launchOptions() {
        LaunchOptions o = LaunchOptions.parse(List.of("--qmp", "unix:/run/q", "--incoming", "defer", "--ram", "128M"));
        assertEquals(Optional.of(Path.of("/run/q")), o.qmpSocket());
        assertEquals(Optional.of("defer"), o.incoming());
        assertEquals(128L << 20, o.ramBytes());
        assertEquals(RamGuest.DEFAULT_RAM_BYTES, LaunchOptions.parse(List.of()).ramBytes());
    }

    @Test
    void ramGuestIsOneZeroedBlockOfMachineNone() {
        try (RamGuest guest = new RamGuest(1 << 20)) {
            assertEquals("none", guest.machineType());
            assertEquals(1, guest.ramBlocks().size());
            assertEquals("ram", guest.ramBlocks().getFirst().name());
            assertEquals(1 << 20, guest.ramBlocks().getFirst().memory().byteSize());
            assertEquals(0, guest.ramBlocks().getFirst().memory().get(java.lang.foreign.ValueLayout.JAVA_LONG, 4096));
        }
        assertThrows(IllegalArgumentException.class, () -> new RamGuest(4095));
        assertThrows(IllegalArgumentException.class, () -> new RamGuest(0));
    }
}
