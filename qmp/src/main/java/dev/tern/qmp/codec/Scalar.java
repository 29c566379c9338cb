package dev.tern.qmp.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

/**
 * The QAPI built-in types Tern's API uses, each with its Java representation, its JSON output
 * (QEMU's QObject output visitor) and its JSON input rules (QEMU 7.2's QObject input visitor).
 *
 * <p>Input follows QEMU's {@code QNum} model: an integer literal is an {@code int64} if it fits,
 * else a {@code uint64} if it is non-negative and fits, else a double. {@code int64} accepts only
 * the first; {@code uint64} and {@code size} accept both integer kinds, a negative {@code int64}
 * wrapping around as in C; the narrower unsigned types go through {@code uint64} and then check
 * their maximum (so {@code -1} is "expects uint8_t"); {@code number} accepts any number.
 */
enum Scalar {
    /** {@code int} and {@code int64}: a signed 64-bit integer in a {@code long}. */
    INT64(Repr.LONG, 0, null),
    /** {@code uint8}: 0..255 in an {@code int}. */
    UINT8(Repr.INT, 0xFFL, "uint8_t"),
    /** {@code uint16}: 0..65535 in an {@code int}. */
    UINT16(Repr.INT, 0xFFFFL, "uint16_t"),
    /** {@code uint32}: 0..4294967295 in a {@code long}. */
    UINT32(Repr.LONG, 0xFFFF_FFFFL, "uint32_t"),
    /** {@code uint64}: the 64 bits of an unsigned integer in a {@code long}. */
    UINT64(Repr.LONG, -1L, null),
    /** {@code size}: a byte count, otherwise exactly {@code uint64}. */
    SIZE(Repr.LONG, -1L, null),
    /** {@code number}: a double. */
    NUMBER(Repr.DOUBLE, 0, null),
    /** {@code bool}. */
    BOOL(Repr.BOOLEAN, 0, null),
    /** {@code str}. */
    STR(Repr.STRING, 0, null),
    /** The alternate {@code StrOrNull}: a string, or JSON null read as the empty string. */
    STR_OR_NULL(Repr.STRING, 0, null);

    /** How a scalar is held in Java. */
    enum Repr {
        /** {@code long}, {@code Long} or {@code OptionalLong}. */
        LONG(long.class, Long.class),
        /** {@code int}, {@code Integer} or {@code OptionalInt}. */
        INT(int.class, Integer.class),
        /** {@code double}, {@code Double} or {@code OptionalDouble}. */
        DOUBLE(double.class, Double.class),
        /** {@code boolean} or {@code Boolean}. */
        BOOLEAN(boolean.class, Boolean.class),
        /** {@code String}. */
        STRING(String.class, String.class);

        /** The type of a required member. */
        final Class<?> primitive;
        /** The type inside {@code Optional} or {@code List}. */
        final Class<?> boxed;

        Repr(Class<?> primitive, Class<?> boxed) {
            this.primitive = primitive;
            this.boxed = boxed;
        }
    }

    private static final Map<String, Scalar> BY_QAPI_NAME = Map.ofEntries(
            Map.entry("int", INT64), Map.entry("int64", INT64),
            Map.entry("uint8", UINT8), Map.entry("uint16", UINT16), Map.entry("uint32", UINT32),
            Map.entry("uint64", UINT64), Map.entry("size", SIZE),
            Map.entry("number", NUMBER), Map.entry("bool", BOOL),
            Map.entry("str", STR), Map.entry("StrOrNull", STR_OR_NULL));

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** How values of this type are held in Java. */
    final Repr repr;
    /** Largest unsigned value for the narrow unsigned types, as unsigned long bits. */
    private final long max;
    /** The C type QEMU names when a narrow unsigned value is out of range. */
    private final String cType;

    Scalar(Repr repr, long max, String cType) {
        this.repr = repr;
        this.max = max;
        this.cType = cType;
    }

    /**
     * The scalar a QAPI type name denotes.
     *
     * @param qapiType the name from {@link dev.tern.api.Qapi#type()}
     * @return the scalar, or empty for enum, struct, union and list types
     */
    static Optional<Scalar> forQapiType(String qapiType) {
        return Optional.ofNullable(BY_QAPI_NAME.get(qapiType));
    }

    /**
     * The JSON QEMU prints for a value.
     *
     * @param value the Java value ({@link #repr}'s boxed type)
     * @return the JSON node
     */
    JsonNode encode(Object value) {
        return switch (this) {
            case INT64 -> LongNode.valueOf((Long) value);
            case UINT32, UINT64, SIZE -> unsigned((Long) value);
            case UINT8, UINT16 -> IntNode.valueOf((Integer) value);
            case NUMBER -> DoubleNode.valueOf((Double) value);
            case BOOL -> BooleanNode.valueOf((Boolean) value);
            case STR, STR_OR_NULL -> TextNode.valueOf((String) value);
        };
    }

    private static JsonNode unsigned(long bits) {
        if (bits >= 0) {
            return LongNode.valueOf(bits);
        }
        return JsonNodeFactory.instance.numberNode(new BigInteger(Long.toUnsignedString(bits)));
    }

    /**
     * Reads a value as QEMU's input visitor does.
     *
     * @param node the JSON value (never Java null)
     * @param path where it is, for messages
     * @return the Java value ({@link #repr}'s boxed type)
     * @throws QapiInputException with QEMU's text if QEMU would reject the value
     */
    Object decode(JsonNode node, InputPath path) {
        return switch (this) {
            case INT64 -> {
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    yield node.longValue();
                }
                throw QapiInputException.invalidType(path.fullName(), "integer");
            }
            case UINT64, SIZE -> uint64(node, path);
            case UINT32 -> narrowUnsigned(node, path);
            case UINT8, UINT16 -> (int) narrowUnsigned(node, path);
            case NUMBER -> {
                if (node.isNumber()) {
                    yield node.doubleValue();
                }
                throw QapiInputException.invalidType(path.fullName(), "number");
            }
            case BOOL -> {
                if (node.isBoolean()) {
                    yield node.booleanValue();
                }
                throw QapiInputException.invalidType(path.fullName(), "boolean");
            }
            case STR -> {
                if (node.isTextual()) {
                    yield node.textValue();
                }
                throw QapiInputException.invalidType(path.fullName(), "string");
            }
            case STR_OR_NULL -> {
                if (node.isTextual()) {
                    yield node.textValue();
                }
                if (node.isNull()) {
                    // migrate-set-parameters: tls-creds/tls-hostname null means "" (QEMU does this
                    // for those two; doing it for tls-authz too is what QEMU 9.2 does instead of crashing)
                    yield "";
                }
                // the generated alternate visitor names the member plainly, not by full path
                throw QapiInputException.invalidType(path.plainName(), "StrOrNull");
            }
        };
    }

    private static long uint64(JsonNode node, InputPath path) {
        if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                // non-negative int64 as is; negative int64 wrapped, "for backward compatibility"
                return node.longValue();
            }
            BigInteger big = node.bigIntegerValue();
            if (big.signum() > 0 && big.compareTo(UINT64_MAX) <= 0) {
                return big.longValue();
            }
        }
        throw QapiInputException.invalidValue(path.fullName(), "uint64");
    }

    private long narrowUnsigned(JsonNode node, InputPath path) {
        long value = uint64(node, path);
        if (Long.compareUnsigned(value, max) > 0) {
            throw QapiInputException.invalidValue(path.plainName(), cType);
        }
        return value;
    }
}
