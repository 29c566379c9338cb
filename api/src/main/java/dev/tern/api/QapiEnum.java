package dev.tern.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An enum of the QAPI schema: every constant knows its QAPI name, its {@code unstable} feature
 * and the build condition QEMU attaches to it. The Java ordinal equals the QAPI (wire) ordinal.
 */
public interface QapiEnum {
    /**
     * The member's name on the wire, for example {@code "postcopy-ram"}.
     *
     * @return the QAPI name
     */
    String qapiName();

    /**
     * Whether the member carries the QAPI {@code unstable} feature (experimental members such
     * as {@code x-colo}).
     *
     * @return true if unstable
     */
    boolean unstable();

    /**
     * The QAPI {@code if} condition of the member, such as {@code CONFIG_ZSTD}; empty for an
     * unconditional member. Tern is built with every condition the schema names satisfied.
     *
     * @return the condition, if any
     */
    Optional<String> condition();

    /**
     * Builds the name index an enum uses for {@code fromQapi}.
     *
     * @param <E> the enum type
     * @param values the enum's values
     * @return an unmodifiable map from QAPI name to constant
     */
    static <E extends QapiEnum> Map<String, E> index(E[] values) {
        Map<String, E> map = new LinkedHashMap<>();
        for (E e : values) {
            map.put(e.qapiName(), e);
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * Looks a constant up in an index built by {@link #index}.
     *
     * @param <E> the enum type
     * @param index the index
     * @param qapiName the name to find
     * @param enumName the QAPI enum's name, for the error message
     * @return the constant
     * @throws IllegalArgumentException if the name is unknown
     */
    static <E extends QapiEnum> E lookup(Map<String, E> index, String qapiName, String enumName) {
        E e = index.get(qapiName);
        if (e == null) {
            throw new IllegalArgumentException("'" + qapiName + "' is not a member of QAPI enum " + enumName);
        }
        return e;
    }
}
