package dev.tern.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.qmp.json.QmpJson;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads QMP input from a socket with Jackson's streaming parser: one JSON value after the other,
 * whether they span lines or share one. Each value is handed over as soon as its last token has
 * arrived, never waiting for more input.
 *
 * <p>After malformed JSON the parser cannot go on, so the rest of the offending line is thrown
 * away and reading resumes on the next line; line endings are what QEMU's lexer also treats as
 * the promising place to resynchronize. Input that ends inside a value is the client leaving,
 * not an error.
 */
final class RequestReader {
    /** What one read produced. */
    sealed interface Input permits Value, Malformed {
    }

    /**
     * A well-formed JSON value (not necessarily an object).
     *
     * @param json the value
     */
    record Value(JsonNode json) implements Input {
    }

    /**
     * Input that is not JSON.
     *
     * @param detail Jackson's description, for the "JSON parse error, ..." reply
     */
    record Malformed(String detail) implements Input {
    }

    private final Reader base;
    private Reader current;
    private JsonParser parser;

    RequestReader(ReadableByteChannel channel) throws IOException {
        this.base = new InputStreamReader(new ChannelInput(channel), StandardCharsets.UTF_8);
        this.current = base;
        this.parser = QmpJson.parser(base);
    }

    /**
     * Reads the next value.
     *
     * @return the value or the description of malformed input; {@code null} at end of input
     * @throws IOException if the channel fails or is closed
     */
    Input next() throws IOException {
        try {
            JsonNode value = QmpJson.readValue(parser);
            return value == null ? null : new Value(value);
        } catch (JsonEOFException e) {
            return null;
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage();
            resynchronize();
            return new Malformed(detail);
        }
    }

    private void resynchronize() throws IOException {
        StringWriter buffered = new StringWriter();
        parser.releaseBuffered(buffered);
        parser.close();
        String rest = buffered.toString();
        if (current instanceof Prefixed p) {
            rest += p.unread();
        }
        int newline = rest.indexOf('\n');
        String next;
        if (newline >= 0) {
            next = rest.substring(newline + 1);
        } else {
            next = "";
            int c;
            do {
                c = base.read();
            } while (c != -1 && c != '\n');
        }
        current = next.isEmpty() ? base : new Prefixed(next, base);
        parser = QmpJson.parser(current);
    }

    /** Characters already read from the socket, served before the socket's own. */
    private static final class Prefixed extends Reader {
        private final String prefix;
        private final Reader rest;
        private int position;

        Prefixed(String prefix, Reader rest) {
            this.prefix = prefix;
            this.rest = rest;
        }

        String unread() {
            return prefix.substring(position);
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (position < prefix.length()) {
                int n = Math.min(len, prefix.length() - position);
                prefix.getChars(position, position + n, cbuf, off);
                position += n;
                return n;
            }
            return rest.read(cbuf, off, len);
        }

        @Override
        public void close() {
            // the socket is closed by its connection, not by the parser
        }
    }
}
