package dev.tern.qmp.codec;

import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * How one QAPI type maps to a Java type: built once per Java type from the {@code @Qapi}
 * annotations by {@link Bindings}, then used by {@link QapiEncoder} and {@link QapiDecoder}.
 */
sealed interface Binding {

    /**
     * A QAPI built-in type.
     *
     * @param scalar which one
     */
    record ScalarBinding(Scalar scalar) implements Binding {
    }

    /**
     * A QAPI enum, held as a Java enum implementing {@link dev.tern.api.QapiEnum}.
     *
     * @param type the Java enum
     * @param byQapiName its constants by wire name
     */
    record EnumBinding(Class<?> type, Map<String, Object> byQapiName) implements Binding {
    }

    /**
     * A QAPI array {@code [Element]}, held as a {@link List}.
     *
     * @param element the element type
     */
    record ListBinding(Binding element) implements Binding {
    }

    /**
     * A QAPI struct (or a command's argument set, or an event's data), held as a record whose
     * {@code @Qapi}-annotated components are the members in schema order.
     *
     * @param type the record class
     * @param members the annotated components
     * @param componentCount how many components the record has in all
     * @param constructor the canonical constructor as {@code (Object[]) -> record}, or
     *     {@code null} if some component is not a QAPI member (an event's timestamp), so the
     *     record can be written but not read
     */
    record StructBinding(Class<?> type, List<Member> members, int componentCount, MethodHandle constructor)
            implements Binding {
    }

    /**
     * A QAPI flat union with discriminator {@code type}, held as a sealed interface whose
     * permitted subclasses are records, one per branch ({@code SocketAddress}).
     *
     * @param type the sealed interface
     * @param branches the branch records by discriminator value
     * @param tags the discriminator value of each branch record
     */
    record UnionBinding(Class<?> type, Map<String, StructBinding> branches, Map<Class<?>, String> tags)
            implements Binding {
    }

    /**
     * One member of a struct.
     *
     * @param name the QAPI member name
     * @param type the member's type
     * @param wrapper how an optional member is wrapped ({@link Wrapper#NONE} if required)
     * @param accessor the record accessor as {@code (record) -> Object}
     * @param component the member's position among the record's components
     */
    record Member(String name, Binding type, Wrapper wrapper, MethodHandle accessor, int component) {
        /**
         * Whether the member may be absent.
         *
         * @return true for optional members
         */
        boolean optional() {
            return wrapper != Wrapper.NONE;
        }
    }

    /** The Java wrapper of an optional member. */
    enum Wrapper {
        /** Required: the plain value. */
        NONE,
        /** {@code Optional<T>}. */
        OPTIONAL,
        /** {@code OptionalLong}. */
        OPTIONAL_LONG,
        /** {@code OptionalInt}. */
        OPTIONAL_INT,
        /** {@code OptionalDouble}. */
        OPTIONAL_DOUBLE
    }
}
