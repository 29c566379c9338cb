package dev.tern.qmp.codec;

import dev.tern.api.Qapi;
import dev.tern.api.QapiEnum;
import dev.tern.qmp.codec.Binding.EnumBinding;
import dev.tern.qmp.codec.Binding.ListBinding;
import dev.tern.qmp.codec.Binding.Member;
import dev.tern.qmp.codec.Binding.ScalarBinding;
import dev.tern.qmp.codec.Binding.StructBinding;
import dev.tern.qmp.codec.Binding.UnionBinding;
import dev.tern.qmp.codec.Binding.Wrapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Builds the {@link Binding} of a Java type from its {@code @Qapi} annotations, once per type.
 *
 * <p>The rules: a record is a struct whose {@code @Qapi} components are its members, in
 * component order (= schema order); an optional member is an {@code Optional},
 * {@code OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} component; an enum
 * implementing {@link QapiEnum} is a QAPI enum; a sealed interface whose permitted subclasses are
 * records is a flat union with discriminator {@code type}, each branch tagged with its record's
 * simple name in lower case ({@code SocketAddress.Inet} is {@code inet}). The Java type of every
 * member must fit its QAPI type (for example {@code uint8} in an {@code int}, {@code size} in a
 * {@code long}); a mismatch is a programming error reported when the type is first used.
 */
final class Bindings {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private static final ClassValue<Binding> CACHE = new ClassValue<>() {
        @Override
        protected Binding computeValue(Class<?> type) {
            return build(type);
        }
    };

    private Bindings() {
    }

    /**
     * The binding of an enum, record or sealed union type.
     *
     * @param type the Java type
     * @return its binding
     * @throws IllegalArgumentException if the type is not a QAPI type or its annotations do not
     *     fit its Java types
     */
    static Binding of(Class<?> type) {
        return CACHE.get(type);
    }

    /**
     * The binding of a record type.
     *
     * @param type the record class
     * @return its struct binding
     * @throws IllegalArgumentException if the type is not a record
     */
    static StructBinding struct(Class<?> type) {
        if (of(type) instanceof StructBinding s) {
            return s;
        }
        throw new IllegalArgumentException(type.getName() + " is not a record");
    }

    private static Binding build(Class<?> type) {
        if (type.isEnum() && QapiEnum.class.isAssignableFrom(type)) {
            return enumBinding(type);
        }
        if (type.isRecord()) {
            return structBinding(type);
        }
        if (type.isInterface() && type.isSealed()) {
            return unionBinding(type);
        }
        throw new IllegalArgumentException(type.getName()
                + " is not a QAPI type (a QapiEnum enum, a record, or a sealed interface of records)");
    }

    private static EnumBinding enumBinding(Class<?> type) {
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Object constant : type.getEnumConstants()) {
            byName.put(((QapiEnum) constant).qapiName(), constant);
        }
        return new EnumBinding(type, Collections.unmodifiableMap(byName));
    }

    private static StructBinding structBinding(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        List<Member> members = new ArrayList<>();
        boolean allMembers = true;
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            parameterTypes[i] = c.getType();
            Qapi qapi = c.getAnnotation(Qapi.class);
            if (qapi == null) {
                allMembers = false;
                continue;
            }
            members.add(member(type, c, qapi, i));
        }
        MethodHandle constructor = null;
        if (allMembers) {
            try {
                constructor = LOOKUP.unreflectConstructor(type.getDeclaredConstructor(parameterTypes))
                        .asSpreader(Object[].class, components.length);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot use the canonical constructor of " + type.getName(), e);
            }
        }
        return new StructBinding(type, List.copyOf(members), components.length, constructor);
    }

    private static Member member(Class<?> owner, RecordComponent c, Qapi qapi, int index) {
        String where = owner.getName() + "." + c.getName() + " (QAPI '" + qapi.name() + "')";
        Class<?> raw = c.getType();
        Wrapper wrapper;
        Type inner;
        if (raw == OptionalLong.class) {
            wrapper = Wrapper.OPTIONAL_LONG;
            inner = long.class;
        } else if (raw == OptionalInt.class) {
            wrapper = Wrapper.OPTIONAL_INT;
            inner = int.class;
        } else if (raw == OptionalDouble.class) {
            wrapper = Wrapper.OPTIONAL_DOUBLE;
            inner = double.class;
        } else if (raw == Optional.class) {
            wrapper = Wrapper.OPTIONAL;
            inner = typeArgument(c.getGenericType(), where);
        } else {
            wrapper = Wrapper.NONE;
            inner = c.getGenericType();
        }
        Binding binding = forType(qapi.type(), inner, where);
        MethodHandle accessor;
        try {
            accessor = LOOKUP.unreflect(c.getAccessor());
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot read " + where, e);
        }
        return new Member(qapi.name(), binding, wrapper, accessor, index);
    }

    private static Binding forType(String qapiType, Type javaType, String where) {
        if (qapiType.startsWith("[") && qapiType.endsWith("]")) {
            if (!(javaType instanceof ParameterizedType p) || p.getRawType() != List.class) {
                throw new IllegalArgumentException(where + ": QAPI type " + qapiType + " needs a List, not " + javaType);
            }
            String element = qapiType.substring(1, qapiType.length() - 1);
            return new ListBinding(forType(element, typeArgument(javaType, where), where));
        }
        Optional<Scalar> scalar = Scalar.forQapiType(qapiType);
        if (scalar.isPresent()) {
            Scalar.Repr repr = scalar.get().repr;
            if (javaType != repr.primitive && javaType != repr.boxed) {
                throw new IllegalArgumentException(where + ": QAPI type " + qapiType + " is held in "
                        + repr.primitive.getName() + ", not " + javaType.getTypeName());
            }
            return new ScalarBinding(scalar.get());
        }
        if (!(javaType instanceof Class<?> cls)) {
            throw new IllegalArgumentException(where + ": QAPI type " + qapiType + " cannot be held in " + javaType);
        }
        return of(cls);
    }

    private static Type typeArgument(Type generic, String where) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
            return p.getActualTypeArguments()[0];
        }
        throw new IllegalArgumentException(where + ": raw or unparameterised type " + generic);
    }

    private static UnionBinding unionBinding(Class<?> type) {
        Map<String, StructBinding> branches = new LinkedHashMap<>();
        Map<Class<?>, String> tags = new LinkedHashMap<>();
        for (Class<?> branch : type.getPermittedSubclasses()) {
            if (!branch.isRecord()) {
                throw new IllegalArgumentException(type.getName() + ": union branch " + branch.getName()
                        + " is not a record");
            }
            String tag = branch.getSimpleName().toLowerCase(Locale.ROOT);
            branches.put(tag, struct(branch));
            tags.put(branch, tag);
        }
        return new UnionBinding(type, Collections.unmodifiableMap(branches), Collections.unmodifiableMap(tags));
    }
}
