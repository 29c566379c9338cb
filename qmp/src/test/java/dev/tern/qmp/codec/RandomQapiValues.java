package dev.tern.qmp.codec;

import dev.tern.api.Qapi;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;

/**
 * Random instances of any record whose components carry {@code @Qapi}, written independently of
 * the codec: it reads the annotations and Java types itself and picks values across each QAPI
 * type's whole range, edges included (unsigned values above {@code Long.MAX_VALUE}, the largest
 * uint8/uint16/uint32, {@code Long.MIN_VALUE} for int64, odd doubles, strings with quotes,
 * control characters and non-BMP characters).
 */
final class RandomQapiValues {
    private static final String ALPHABET = "aZ09 -_.:/\"\\\n\t\u0001\u007f\u00e9\u20ac\ud83d\ude00'";

    private final Random random;

    RandomQapiValues(long seed) {
        this.random = new Random(seed);
    }

    Object instanceOf(Class<?> type) {
        if (type.isSealed() && type.isInterface()) {
            Class<?>[] branches = type.getPermittedSubclasses();
            return instanceOf(branches[random.nextInt(branches.length)]);
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[random.nextInt(constants.length)];
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Qapi qapi = components[i].getAnnotation(Qapi.class);
            types[i] = components[i].getType();
            if (qapi == null && types[i] == Instant.class) {
                // an event's timestamp, to the microsecond as QMP carries it
                args[i] = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000) * 1000L);
            } else {
                args[i] = component(qapi, components[i].getGenericType());
            }
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    private Object component(Qapi qapi, Type generic) {
        Class<?> raw = rawClass(generic);
        boolean absent = random.nextInt(3) == 0;
        if (raw == OptionalLong.class) {
            return absent ? OptionalLong.empty() : OptionalLong.of((Long) value(qapi.type(), Long.class));
        }
        if (raw == OptionalInt.class) {
            return absent ? OptionalInt.empty() : OptionalInt.of((Integer) value(qapi.type(), Integer.class));
        }
        if (raw == OptionalDouble.class) {
            return absent ? OptionalDouble.empty() : OptionalDouble.of((Double) value(qapi.type(), Double.class));
        }
        if (raw == Optional.class) {
            return absent ? Optional.empty() : Optional.of(value(qapi.type(), argument(generic)));
        }
        return value(qapi.type(), generic);
    }

    private Object value(String qapiType, Type javaType) {
        if (qapiType.startsWith("[")) {
            String element = qapiType.substring(1, qapiType.length() - 1);
            List<Object> list = new ArrayList<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                list.add(value(element, argument(javaType)));
            }
            return list;
        }
        return switch (qapiType) {
            case "int", "int64" -> pick(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, random.nextLong(), (long) random.nextInt());
            case "uint64", "size" -> pick(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, random.nextLong(),
                    (long) random.nextInt(1 << 20));
            case "uint32" -> pick(0L, 0xFFFF_FFFFL, random.nextLong() & 0xFFFF_FFFFL);
            case "uint16" -> pick(0, 0xFFFF, random.nextInt(0x10000));
            case "uint8" -> pick(0, 0xFF, random.nextInt(0x100));
            case "number" -> number();
            case "bool" -> random.nextBoolean();
            case "str", "StrOrNull" -> string();
            default -> instanceOf(rawClass(javaType));
        };
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private double number() {
        double d = switch (random.nextInt(5)) {
            case 0 -> random.nextInt(1000);
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            case 2 -> -random.nextDouble() * 1e6;
            case 3 -> Double.longBitsToDouble(random.nextLong());
            default -> pick(0.0, 1.0, 0.1, 1e17, 5e-324, Double.MAX_VALUE, 830.636997);
        };
        // JSON cannot carry NaN, infinities or the sign of zero (QEMU's "%.17g" prints -0, read back as 0)
        return Double.isFinite(d) && Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(-0.0) ? d : 2.5;
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(ALPHABET.length());
            char c = ALPHABET.charAt(at);
            if (Character.isHighSurrogate(c)) {
                sb.append(c).append(ALPHABET.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Type argument(Type generic) {
        return ((ParameterizedType) generic).getActualTypeArguments()[0];
    }

    private static Class<?> rawClass(Type t) {
        return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
    }
}
