package dev.tern.qmp.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tern.api.QapiEnum;
import dev.tern.qmp.codec.Binding.EnumBinding;
import dev.tern.qmp.codec.Binding.ListBinding;
import dev.tern.qmp.codec.Binding.Member;
import dev.tern.qmp.codec.Binding.ScalarBinding;
import dev.tern.qmp.codec.Binding.StructBinding;
import dev.tern.qmp.codec.Binding.UnionBinding;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Java value to JSON, as QEMU's QObject output visitor builds it: members in schema order,
 * optional members left out when absent, unsigned types unsigned, enums by QAPI name, a union's
 * discriminator {@code type} first and its branch's members after it.
 */
final class QapiEncoder {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private QapiEncoder() {
    }

    /**
     * Encodes a value of a bound type.
     *
     * @param binding the value's type
     * @param value the value (never null)
     * @return its JSON
     */
    static JsonNode encode(Binding binding, Object value) {
        return switch (binding) {
            case ScalarBinding s -> s.scalar().encode(value);
            case EnumBinding e -> TextNode.valueOf(((QapiEnum) value).qapiName());
            case ListBinding l -> {
                ArrayNode array = NODES.arrayNode();
                for (Object element : (List<?>) value) {
                    array.add(encode(l.element(), element));
                }
                yield array;
            }
            case StructBinding s -> {
                ObjectNode object = NODES.objectNode();
                encodeMembers(s, value, object);
                yield object;
            }
            case UnionBinding u -> {
                String tag = u.tags().get(value.getClass());
                ObjectNode object = NODES.objectNode();
                object.put("type", tag);
                encodeMembers(u.branches().get(tag), value, object);
                yield object;
            }
        };
    }

    private static void encodeMembers(StructBinding struct, Object record, ObjectNode into) {
        for (Member m : struct.members()) {
            Object raw = read(m, record);
            switch (m.wrapper()) {
                case NONE -> into.set(m.name(), encode(m.type(), raw));
                case OPTIONAL -> ((Optional<?>) raw).ifPresent(v -> into.set(m.name(), encode(m.type(), v)));
                case OPTIONAL_LONG -> {
                    OptionalLong o = (OptionalLong) raw;
                    if (o.isPresent()) {
                        into.set(m.name(), encode(m.type(), o.getAsLong()));
                    }
                }
                case OPTIONAL_INT -> {
                    OptionalInt o = (OptionalInt) raw;
                    if (o.isPresent()) {
                        into.set(m.name(), encode(m.type(), o.getAsInt()));
                    }
                }
                case OPTIONAL_DOUBLE -> {
                    OptionalDouble o = (OptionalDouble) raw;
                    if (o.isPresent()) {
                        into.set(m.name(), encode(m.type(), o.getAsDouble()));
                    }
                }
            }
        }
    }

    private static Object read(Member m, Object record) {
        try {
            return m.accessor().invoke(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("accessor of '" + m.name() + "' failed", t);
        }
    }
}
