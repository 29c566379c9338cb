package dev.tern.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.qmp.json.QmpJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A raw QMP client for server tests: writes bytes as given, reads lines with their endings. */
final class QmpTestClient implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    QmpTestClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    void send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** The next line including its "\r\n", or null at end of stream. */
    String rawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = channel.read(in);
                in.flip();
                if (n < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                continue;
            }
            byte b = in.get();
            line.write(b);
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** The next line without its ending; fails if the line does not end in "\r\n". */
    String line() throws IOException {
        String raw = rawLine();
        if (raw == null) {
            return null;
        }
        if (!raw.endsWith("\r\n")) {
            throw new AssertionError("line does not end in CRLF: " + raw);
        }
        return raw.substring(0, raw.length() - 2);
    }

    JsonNode json() throws IOException {
        String line = line();
        if (line == null) {
            throw new AssertionError("connection closed");
        }
        try {
            return QmpJson.parse(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Reads the greeting and negotiates. */
    QmpTestClient negotiated() throws IOException {
        line();
        send("{\"execute\": \"qmp_capabilities\"}\n");
        String reply = line();
        if (!"{\"return\": {}}".equals(reply)) {
            throw new AssertionError("negotiation failed: " + reply);
        }
        return this;
    }

    /** Negotiates when the greeting has been read already. */
    void negotiatedAfterGreeting() throws IOException {
        send("{\"execute\": \"qmp_capabilities\"}\n");
        String reply = line();
        if (!"{\"return\": {}}".equals(reply)) {
            throw new AssertionError("negotiation failed: " + reply);
        }
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
