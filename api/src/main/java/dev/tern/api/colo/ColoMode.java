package dev.tern.api.colo;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * The COLO current mode.
 *
 * QAPI enum {@code COLOMode}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 2.8.
 */
public enum ColoMode implements QapiEnum {
    /**
     * COLO is disabled.
     */
    NONE("none", false, null),

    /**
     * COLO node in primary side.
     */
    PRIMARY("primary", false, null),

    /**
     * COLO node in slave side.
     */
    SECONDARY("secondary", false, null);

    private static final Map<String, ColoMode> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    ColoMode(String qapiName, boolean unstable, String condition) {
        this.qapiName = qapiName;
        this.unstable = unstable;
        this.condition = condition;
    }

    @Override
    public String qapiName() {
        return qapiName;
    }

    @Override
    public boolean unstable() {
        return unstable;
    }

    @Override
    public Optional<String> condition() {
        return Optional.ofNullable(condition);
    }

    /**
     * Looks a member up by its QAPI name.
     *
     * @param qapiName the name as it appears on the wire, for example {@code "secondary"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static ColoMode fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "COLOMode");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
