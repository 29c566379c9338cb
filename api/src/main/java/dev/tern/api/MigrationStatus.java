package dev.tern.api;

import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of migration status.
 *
 * QAPI enum {@code MigrationStatus}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 2.3.
 */
public enum MigrationStatus implements QapiEnum {
    /**
     * no migration has ever happened.
     */
    NONE("none", false, null),

    /**
     * migration process has been initiated.
     */
    SETUP("setup", false, null),

    /**
     * in the process of cancelling migration.
     */
    CANCELLING("cancelling", false, null),

    /**
     * cancelling migration is finished.
     */
    CANCELLED("cancelled", false, null),

    /**
     * in the process of doing migration.
     */
    ACTIVE("active", false, null),

    /**
     * like active, but now in postcopy mode. (since 2.5)
     */
    POSTCOPY_ACTIVE("postcopy-active", false, null),

    /**
     * during postcopy but paused. (since 3.0)
     */
    POSTCOPY_PAUSED("postcopy-paused", false, null),

    /**
     * trying to recover from a paused postcopy. (since 3.0)
     */
    POSTCOPY_RECOVER("postcopy-recover", false, null),

    /**
     * migration is finished.
     */
    COMPLETED("completed", false, null),

    /**
     * some error occurred during migration process.
     */
    FAILED("failed", false, null),

    /**
     * VM is in the process of fault tolerance, VM can not get into this state unless colo capability
     * is enabled for migration. (since 2.8)
     */
    COLO("colo", false, null),

    /**
     * Paused before device serialisation. (since 2.11)
     */
    PRE_SWITCHOVER("pre-switchover", false, null),

    /**
     * During device serialisation when pause-before-switchover is enabled (since 2.11)
     */
    DEVICE("device", false, null),

    /**
     * wait for device unplug request by guest OS to be completed. (since 4.2)
     */
    WAIT_UNPLUG("wait-unplug", false, null);

    private static final Map<String, MigrationStatus> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    MigrationStatus(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "wait-unplug"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static MigrationStatus fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "MigrationStatus");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
