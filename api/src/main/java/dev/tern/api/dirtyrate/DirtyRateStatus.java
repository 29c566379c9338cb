package dev.tern.api.dirtyrate;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of dirtyrate status.
 *
 * QAPI enum {@code DirtyRateStatus}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 5.2.
 */
public enum DirtyRateStatus implements QapiEnum {
    /**
     * the dirtyrate thread has not been started.
     */
    UNSTARTED("unstarted", false, null),

    /**
     * the dirtyrate thread is measuring.
     */
    MEASURING("measuring", false, null),

    /**
     * the dirtyrate thread has measured and results are available.
     */
    MEASURED("measured", false, null);

    private static final Map<String, DirtyRateStatus> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    DirtyRateStatus(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "measured"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static DirtyRateStatus fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "DirtyRateStatus");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
