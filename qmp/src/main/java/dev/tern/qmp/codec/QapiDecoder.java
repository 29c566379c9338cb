package dev.tern.qmp.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.qmp.codec.Binding.EnumBinding;
import dev.tern.qmp.codec.Binding.ListBinding;
import dev.tern.qmp.codec.Binding.Member;
import dev.tern.qmp.codec.Binding.ScalarBinding;
import dev.tern.qmp.codec.Binding.StructBinding;
import dev.tern.qmp.codec.Binding.UnionBinding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * JSON to Java value, as QEMU 7.2's QObject input visitor reads it: a struct's members are
 * visited in schema order (so the first missing or malformed member in schema order is the one
 * reported), then leftover members are rejected; an optional member given JSON {@code null} is
 * present and must have its type (only {@code StrOrNull} accepts null).
 */
final class QapiDecoder {
    private static final String DISCRIMINATOR = "type";

    private QapiDecoder() {
    }

    /**
     * Decodes a value of a bound type.
     *
     * @param binding the expected type
     * @param node the JSON (never Java null)
     * @param path where it is, for messages
     * @return the Java value
     * @throws QapiInputException with QEMU's text if QEMU would reject the JSON
     */
    static Object decode(Binding binding, JsonNode node, InputPath path) {
        return switch (binding) {
            case ScalarBinding s -> s.scalar().decode(node, path);
            case EnumBinding e -> {
                String name = (String) Scalar.STR.decode(node, path);
                Object constant = e.byQapiName().get(name);
                if (constant == null) {
                    throw QapiInputException.enumValue(path.plainName(), name);
                }
                yield constant;
            }
            case ListBinding l -> {
                if (!node.isArray()) {
                    throw QapiInputException.invalidType(path.fullName(), "array");
                }
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(decode(l.element(), node.get(i), path.element(i)));
                }
                yield List.copyOf(list);
            }
            case StructBinding s -> {
                ObjectNode object = requireObject(node, path);
                Object record = decodeMembers(s, object, path);
                rejectLeftovers(object, s, Set.of(), path);
                yield record;
            }
            case UnionBinding u -> {
                ObjectNode object = requireObject(node, path);
                JsonNode tagNode = object.get(DISCRIMINATOR);
                if (tagNode == null) {
                    throw QapiInputException.missing(path.member(DISCRIMINATOR).fullName());
                }
                String tag = (String) Scalar.STR.decode(tagNode, path.member(DISCRIMINATOR));
                StructBinding branch = u.branches().get(tag);
                if (branch == null) {
                    throw QapiInputException.enumValue(DISCRIMINATOR, tag);
                }
                Object record = decodeMembers(branch, object, path);
                rejectLeftovers(object, branch, Set.of(DISCRIMINATOR), path);
                yield record;
            }
        };
    }

    private static ObjectNode requireObject(JsonNode node, InputPath path) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw QapiInputException.invalidType(path.fullName(), "object");
    }

    private static Object decodeMembers(StructBinding struct, ObjectNode object, InputPath path) {
        if (struct.constructor() == null) {
            throw new IllegalArgumentException(struct.type().getName()
                    + " has components that are not QAPI members and cannot be read from JSON");
        }
        Object[] args = new Object[struct.componentCount()];
        for (Member m : struct.members()) {
            JsonNode value = object.get(m.name());
            InputPath at = path.member(m.name());
            if (value == null) {
                if (!m.optional()) {
                    throw QapiInputException.missing(at.fullName());
                }
                args[m.component()] = absent(m);
            } else {
                Object decoded = decode(m.type(), value, at);
                args[m.component()] = m.optional() ? present(m, decoded) : decoded;
            }
        }
        try {
            return struct.constructor().invoke(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("constructor of " + struct.type().getName() + " failed", t);
        }
    }

    private static void rejectLeftovers(ObjectNode object, StructBinding struct, Set<String> alsoKnown, InputPath path) {
        // QEMU reports one leftover member (its hash table's first); Tern reports the first in input order.
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!alsoKnown.contains(name) && !isMember(struct, name)) {
                throw QapiInputException.unexpected(path.member(name).fullName());
            }
        }
    }

    private static boolean isMember(StructBinding struct, String name) {
        for (Member m : struct.members()) {
            if (m.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Object absent(Member m) {
        return switch (m.wrapper()) {
            case OPTIONAL -> Optional.empty();
            case OPTIONAL_LONG -> OptionalLong.empty();
            case OPTIONAL_INT -> OptionalInt.empty();
            case OPTIONAL_DOUBLE -> OptionalDouble.empty();
            case NONE -> throw new IllegalStateException("required member '" + m.name() + "' has no absent value");
        };
    }

    private static Object present(Member m, Object value) {
        return switch (m.wrapper()) {
            case OPTIONAL -> Optional.of(value);
            case OPTIONAL_LONG -> OptionalLong.of((Long) value);
            case OPTIONAL_INT -> OptionalInt.of((Integer) value);
            case OPTIONAL_DOUBLE -> OptionalDouble.of((Double) value);
            case NONE -> value;
        };
    }
}
