package dev.tern.qmp.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Objects;

/**
 * The generic mapping between QAPI JSON and Tern's API types, driven by the {@code @Qapi}
 * annotations on record components and {@link dev.tern.api.QapiEnum#qapiName()}: no type has a
 * hand-written serializer.
 *
 * <p>Output is what QEMU's QObject output visitor produces: optional members absent when empty,
 * {@code size}/{@code uint64}/{@code uint32} unsigned (a {@code long} -1 in a {@code size}
 * member is 18446744073709551615), {@code number} as a double, enums by QAPI name, the
 * {@code SocketAddress} union flattened with its {@code type} discriminator. Input is checked
 * exactly as QEMU 7.2's QObject input visitor checks it, failing with a
 * {@link QapiInputException} that carries QEMU's text.
 *
 * {@snippet :
 * MigrateSetParameters p = QapiCodec.decode(MigrateSetParameters.class,
 *         QmpJson.parse("{\"downtime-limit\": 500, \"tls-creds\": null}"));
 * // p.downtimeLimit() is OptionalLong[500], p.tlsCreds() is Optional[""]
 * JsonNode json = QapiCodec.encode(p); // {"downtime-limit": 500, "tls-creds": ""}
 * }
 */
public final class QapiCodec {
    private QapiCodec() {
    }

    /**
     * Encodes an API value by its runtime type.
     *
     * @param value a record, a {@code QapiEnum} enum constant, a {@link List} of those, or a
     *     {@code String}, {@code Boolean}, {@code Long}, {@code Integer} or {@code Double}
     * @return the JSON QEMU would print for it
     * @throws IllegalArgumentException if the value's type is not a QAPI type
     */
    public static JsonNode encode(Object value) {
        Objects.requireNonNull(value, "value");
        return switch (value) {
            case List<?> list -> encodeList(list);
            case String s -> TextNode.valueOf(s);
            case Boolean b -> BooleanNode.valueOf(b);
            case Long l -> LongNode.valueOf(l);
            case Integer i -> LongNode.valueOf(i);
            case Double d -> DoubleNode.valueOf(d);
            default -> QapiEncoder.encode(Bindings.of(value.getClass()), value);
        };
    }

    /**
     * Encodes a value as a given QAPI type; needed for a union, whose branch records alone would
     * be written without their discriminator.
     *
     * @param <T> the type
     * @param type the record, enum or sealed union type
     * @param value the value
     * @return the JSON
     * @throws IllegalArgumentException if {@code type} is not a QAPI type
     */
    public static <T> JsonNode encode(Class<T> type, T value) {
        Objects.requireNonNull(value, "value");
        return QapiEncoder.encode(Bindings.of(type), value);
    }

    /**
     * Encodes a list element by element, each by its runtime type.
     *
     * @param values the values
     * @return the JSON array
     * @throws IllegalArgumentException if an element's type is not a QAPI type
     */
    public static ArrayNode encodeList(List<?> values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Object v : values) {
            array.add(encode(v));
        }
        return array;
    }

    /**
     * Decodes a value of a record, enum or union type, as the top-level value of a visit (a
     * command's arguments): members are named from there, for example
     * {@code capabilities[0].state}.
     *
     * @param <T> the type
     * @param type the Java type
     * @param json the JSON value
     * @return the decoded value
     * @throws QapiInputException if QEMU 7.2 would reject the JSON, with QEMU's text
     * @throws IllegalArgumentException if {@code type} is not a QAPI type or has components
     *     that are not QAPI members (an event's timestamp)
     */
    public static <T> T decode(Class<T> type, JsonNode json) {
        Objects.requireNonNull(json, "json");
        return type.cast(QapiDecoder.decode(Bindings.of(type), json, InputPath.root()));
    }

    /**
     * Checks that a type can be mapped: its annotations name QAPI types that fit the Java types
     * of its components, recursively.
     *
     * @param type the record, enum or sealed union type
     * @throws IllegalArgumentException if it cannot
     */
    public static void validate(Class<?> type) {
        Bindings.of(type);
    }
}
