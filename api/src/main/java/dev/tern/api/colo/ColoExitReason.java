package dev.tern.api.colo;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * The reason for a COLO exit.
 *
 * QAPI enum {@code COLOExitReason}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 3.1.
 */
public enum ColoExitReason implements QapiEnum {
    /**
     * failover has never happened. This state does not occur in the COLO_EXIT event, and is only
     * visible in the result of query-colo-status.
     */
    NONE("none", false, null),

    /**
     * COLO exit is due to an external request.
     */
    REQUEST("request", false, null),

    /**
     * COLO exit is due to an internal error.
     */
    ERROR("error", false, null),

    /**
     * COLO is currently handling a failover (since 4.0).
     */
    PROCESSING("processing", false, null);

    private static final Map<String, ColoExitReason> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    ColoExitReason(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "processing"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static ColoExitReason fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "COLOExitReason");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
