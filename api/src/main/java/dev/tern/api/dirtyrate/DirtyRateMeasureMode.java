package dev.tern.api.dirtyrate;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of mode of measuring dirtyrate.
 *
 * QAPI enum {@code DirtyRateMeasureMode}, members in schema order (the ordinal is the QAPI wire
 * order).
 *
 * Since QEMU 6.2.
 */
public enum DirtyRateMeasureMode implements QapiEnum {
    /**
     * calculate dirtyrate by sampling pages.
     */
    PAGE_SAMPLING("page-sampling", false, null),

    /**
     * calculate dirtyrate by dirty ring.
     */
    DIRTY_RING("dirty-ring", false, null),

    /**
     * calculate dirtyrate by dirty bitmap.
     */
    DIRTY_BITMAP("dirty-bitmap", false, null);

    private static final Map<String, DirtyRateMeasureMode> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    DirtyRateMeasureMode(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "dirty-bitmap"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static DirtyRateMeasureMode fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "DirtyRateMeasureMode");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
