package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.qmp.json.QmpJson;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A QMP client for a QEMU's {@code -qmp unix:PATH,server=on,wait=off} socket: one command at a time, events skipped. */
final class QemuMonitor implements AutoCloseable {
    private final String name;
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private QemuMonitor(String name, SocketChannel channel) {
        this.name = name;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects once QEMU listens (it creates the socket early in its start), reads the greeting
     * and negotiates.
     *
     * @param name the VM's name in messages
     * @param socket the QMP socket
     * @param qemu the QEMU process, to stop waiting if it exits
     * @return the negotiated client
     * @throws IOException if QEMU exits or does not listen within 30 s
     * @throws InterruptedException if interrupted
     */
    static QemuMonitor connect(String name, Path socket, Process qemu) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                QemuMonitor monitor = new QemuMonitor(name, channel);
                monitor.next();
                monitor.execute("qmp_capabilities", QmpJson.object());
                return monitor;
            } catch (IOException e) {
                channel.close();
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException(name + ": QEMU's QMP socket " + socket + " did not answer"
                            + (qemu.isAlive() ? "" : " (QEMU exited with status " + qemu.exitValue() + ")"), e);
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Runs a command.
     *
     * @param command the command
     * @param arguments its arguments (omitted when empty)
     * @return the reply's {@code return}
     * @throws IOException if the reply is an error or the connection fails
     */
    JsonNode execute(String command, ObjectNode arguments) throws IOException {
        ObjectNode request = QmpJson.object().put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", arguments);
        }
        out.write((QmpJson.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            JsonNode reply = next();
            if (reply.has("error")) {
                throw new IOException(name + ": " + command + " failed: " + reply.path("error").path("desc").asText());
            }
            if (reply.has("return")) {
                return reply.get("return");
            }
        }
    }

    private JsonNode next() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new EOFException(name + ": QMP connection closed");
        }
        return QmpJson.parse(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
