package dev.tern.qmp.cli;

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

/**
 * A QMP client on a unix socket, as any management tool is: reads the greeting, negotiates,
 * then sends one command at a time and reads lines until its reply, skipping events.
 */
final class SocketQmp implements QmpPeer {
    private final String name;
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private SocketQmp(String name, SocketChannel channel) {
        this.name = name;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects and negotiates.
     *
     * @param name the VM's name in messages
     * @param socket the VM's QMP socket
     * @return the client, ready for commands
     * @throws IOException if the socket refuses the connection or the VM does not speak QMP
     */
    static SocketQmp connect(String name, Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            SocketQmp peer = new SocketQmp(name, channel);
            JsonNode greeting = peer.next();
            if (!greeting.has("QMP")) {
                throw new IOException(name + ": not a QMP greeting: " + QmpJson.write(greeting));
            }
            peer.execute("qmp_capabilities");
            return peer;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public synchronized JsonNode execute(String command, ObjectNode arguments) throws IOException {
        out.write((QmpJson.write(QmpPeer.request(command, arguments)) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            JsonNode message = next();
            if (message.has("return") || message.has("error")) {
                return QmpPeer.result(name, command, message);
            }
            // an event: the demo follows the migration by polling, as a script would
        }
    }

    private JsonNode next() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new EOFException(name + ": the QMP connection closed");
        }
        return QmpJson.parse(line);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
