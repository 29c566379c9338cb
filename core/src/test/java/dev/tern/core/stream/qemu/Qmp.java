package dev.tern.core.stream.qemu;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A few lines of QMP over a unix socket: one JSON object per line, written and matched by hand
 * (Jackson is not a core dependency). Events are skipped.
 */
final class Qmp implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("\"status\": \"([a-z-]+)\"");

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    private Qmp(SocketChannel channel) {
        this.channel = channel;
    }

    static Qmp connect(Path socket, Process qemu) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            if (!qemu.isAlive()) {
                throw new IOException("QEMU exited with " + qemu.exitValue());
            }
            if (Files.exists(socket)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(ch);
                    String greeting = qmp.readLine();
                    if (!greeting.contains("\"QMP\"")) {
                        throw new IOException("not a QMP greeting: " + greeting);
                    }
                    qmp.execute("{\"execute\": \"qmp_capabilities\"}");
                    return qmp;
                } catch (IOException e) {
                    ch.close();
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("no QMP socket at " + socket);
    }

    /**
     * Runs a command.
     *
     * @param json the command object
     * @return the response line
     * @throws IOException on an error response or a closed socket
     */
    String execute(String json) throws IOException {
        channel.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        while (true) {
            String line = readLine();
            if (line.contains("\"event\"")) {
                continue;
            }
            if (line.contains("\"error\"")) {
                throw new IOException("QMP error for " + json + ": " + line);
            }
            return line;
        }
    }

    /**
     * The {@code status} member of a response.
     *
     * @param response a response line
     * @return the status, or null
     */
    static String status(String response) {
        Matcher m = STATUS.matcher(response);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Polls query-migrate until the migration completes or fails.
     *
     * @return the final query-migrate response
     * @throws IOException if QMP fails
     * @throws InterruptedException if interrupted
     */
    String awaitMigration() throws IOException, InterruptedException {
        while (true) {
            String r = execute("{\"execute\": \"query-migrate\"}");
            String s = status(r);
            if ("completed".equals(s) || "failed".equals(s) || "cancelled".equals(s)) {
                return r;
            }
            Thread.sleep(50);
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            while (in.hasRemaining()) {
                char c = (char) (in.get() & 0xFF);
                if (c == '\n') {
                    return line.toString().strip();
                }
                line.append(c);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("QMP socket closed after: " + line);
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a dead peer's socket: nothing to do
        }
    }
}
