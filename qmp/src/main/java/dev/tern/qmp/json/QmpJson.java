package dev.tern.qmp.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Map;

/**
 * JSON text as QEMU's QMP reads and writes it, over Jackson's streaming parser and tree model.
 *
 * <p>Input follows QEMU's parser where Jackson can: single-quoted strings are accepted (a QEMU
 * extension), duplicate member names are rejected. Output is byte for byte what QEMU 7.2 prints:
 * members in {@link QDictOrder QDict order}, {@code ", "} and {@code ": "} separators, numbers of
 * type {@code number} as {@code %.17g}, integers above {@code Long.MAX_VALUE} as unsigned, and
 * everything outside printable ASCII escaped.
 *
 * {@snippet :
 * JsonNode request = QmpJson.parse("{'execute': 'query-status'}");
 * String line = QmpJson.write(request); // {"execute": "query-status"}
 * }
 */
public final class QmpJson {
    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    // Streams values one after the other: must not look for trailing tokens (it would block).
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    private static final ObjectReader SINGLE_VALUE = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private QmpJson() {
    }

    /**
     * The node factory for building requests, replies and events.
     *
     * @return the shared factory
     */
    public static JsonNodeFactory nodes() {
        return JsonNodeFactory.instance;
    }

    /**
     * A new empty JSON object.
     *
     * @return the object
     */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * A new empty JSON array.
     *
     * @return the array
     */
    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Parses exactly one JSON value.
     *
     * @param text the JSON text
     * @return the value
     * @throws JsonProcessingException if the text is not exactly one well-formed value
     */
    public static JsonNode parse(String text) throws JsonProcessingException {
        return SINGLE_VALUE.readTree(text);
    }

    /**
     * A streaming parser over a character source, configured like {@link #parse}, that reads
     * one value after the other and leaves the source open.
     *
     * @param source the characters
     * @return the parser
     * @throws IOException if the parser cannot be created
     */
    public static JsonParser parser(Reader source) throws IOException {
        return FACTORY.createParser(source);
    }

    /**
     * Reads the next top-level value from a parser made by {@link #parser}.
     *
     * @param parser the parser
     * @return the value, or {@code null} at the end of the input
     * @throws IOException if the input is malformed or cannot be read
     */
    public static JsonNode readValue(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            return null;
        }
        return MAPPER.readTree(parser);
    }

    /**
     * Prints a value exactly as QEMU's compact JSON writer does, without a line ending.
     *
     * @param value the value (objects, arrays, strings, numbers, booleans, null)
     * @return the text
     * @throws IllegalArgumentException if the tree holds a node that is not plain JSON
     */
    public static String write(JsonNode value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            gen.setPrettyPrinter(new QemuStyle.Separators());
            gen.setCharacterEscapes(new QemuStyle.Escapes());
            writeNode(gen, value);
        } catch (IOException e) {
            // a StringWriter does not fail
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeNode(JsonGenerator gen, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> member : QDictOrder.members((ObjectNode) node)) {
                    gen.writeFieldName(member.getKey());
                    writeNode(gen, member.getValue());
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (JsonNode element : node) {
                    writeNode(gen, element);
                }
                gen.writeEndArray();
            }
            case STRING -> gen.writeString(node.textValue());
            case BOOLEAN -> gen.writeBoolean(node.booleanValue());
            case NULL -> gen.writeNull();
            case NUMBER -> writeNumber(gen, node);
            default -> throw new IllegalArgumentException("not plain JSON: " + node.getNodeType());
        }
    }

    private static void writeNumber(JsonGenerator gen, JsonNode node) throws IOException {
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            // QEMU holds integers as int64 or uint64; anything wider became a double on input.
            if (value.compareTo(INT64_MIN) >= 0 && value.compareTo(UINT64_LIMIT) < 0) {
                gen.writeNumber(value);
                return;
            }
        }
        double d = node.doubleValue();
        // QEMU would print "inf"/"nan", which no JSON reader accepts; 0 keeps the reply readable.
        gen.writeNumber(Double.isFinite(d) ? CDoubleFormat.percent17g(d) : "0");
    }
}
