package dev.tern.api.colo;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of COLO failover status
 *
 * QAPI enum {@code FailoverStatus}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 2.8.
 */
public enum FailoverStatus implements QapiEnum {
    /**
     * no failover has ever happened
     */
    NONE("none", false, null),

    /**
     * got failover requirement but not handled
     */
    REQUIRE("require", false, null),

    /**
     * in the process of doing failover
     */
    ACTIVE("active", false, null),

    /**
     * finish the process of failover
     */
    COMPLETED("completed", false, null),

    /**
     * restart the failover process, from 'none' -&gt; 'completed' (Since 2.9)
     */
    RELAUNCH("relaunch", false, null);

    private static final Map<String, FailoverStatus> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    FailoverStatus(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "relaunch"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static FailoverStatus fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "FailoverStatus");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
