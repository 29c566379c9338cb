package dev.tern.api;

import java.util.Map;
import java.util.Optional;

/**
 * Migration capabilities enumeration
 *
 * QAPI enum {@code MigrationCapability}, members in schema order (the ordinal is the QAPI wire
 * order).
 *
 * Since QEMU 1.2.
 */
public enum MigrationCapability implements QapiEnum {
    /**
     * Migration supports xbzrle (Xor Based Zero Run Length Encoding). This feature allows us to
     * minimize migration traffic for certain work loads, by sending compressed difference of the pages
     */
    XBZRLE("xbzrle", false, null),

    /**
     * Controls whether or not the entire VM memory footprint is mlock()'d on demand or all at once.
     * Refer to docs/rdma.txt for usage. Disabled by default. (since 2.0)
     */
    RDMA_PIN_ALL("rdma-pin-all", false, null),

    /**
     * If enabled, QEMU will automatically throttle down the guest to speed up convergence of RAM
     * migration. (since 1.6)
     */
    AUTO_CONVERGE("auto-converge", false, null),

    /**
     * During storage migration encode blocks of zeroes efficiently. This essentially saves 1MB of
     * zeroes per block on the wire. Enabling requires source and target VM to support this feature. To
     * enable it is sufficient to enable the capability on the source VM. The feature is disabled by
     * default. (since 1.6)
     */
    ZERO_BLOCKS("zero-blocks", false, null),

    /**
     * Use multiple compression threads to accelerate live migration. This feature can help to reduce
     * the migration traffic, by sending compressed pages. Please note that if compress and xbzrle are
     * both on, compress only takes effect in the ram bulk stage, after that, it will be disabled and
     * only xbzrle takes effect, this can help to minimize migration traffic. The feature is disabled
     * by default. (since 2.4 )
     */
    COMPRESS("compress", false, null),

    /**
     * generate events for each migration state change (since 2.4 )
     */
    EVENTS("events", false, null),

    /**
     * Start executing on the migration target before all of RAM has been migrated, pulling the
     * remaining pages along as needed. The capacity must have the same setting on both source and
     * target or migration will not even start. NOTE: If the migration fails during postcopy the VM
     * will fail. (since 2.6)
     */
    POSTCOPY_RAM("postcopy-ram", false, null),

    /**
     * If enabled, migration will never end, and the state of the VM on the primary side will be
     * migrated continuously to the VM on secondary side, this process is called COarse-Grain LOck
     * Stepping (COLO) for Non-stop Service. (since 2.8)
     *
     * Carries the QAPI {@code unstable} feature: experimental.
     */
    X_COLO("x-colo", true, null),

    /**
     * if enabled, qemu will free the migrated ram pages on the source during postcopy-ram migration.
     * (since 2.9)
     */
    RELEASE_RAM("release-ram", false, null),

    /**
     * If enabled, QEMU will also migrate the contents of all block devices. Default is disabled. A
     * possible alternative uses mirror jobs to a builtin NBD server on the destination, which offers
     * more flexibility. (Since 2.10)
     */
    BLOCK("block", false, null),

    /**
     * If enabled, migration will use the return path even for precopy. (since 2.10)
     */
    RETURN_PATH("return-path", false, null),

    /**
     * Pause outgoing migration before serialising device state and before disabling block IO (since
     * 2.11)
     */
    PAUSE_BEFORE_SWITCHOVER("pause-before-switchover", false, null),

    /**
     * Use more than one fd for migration (since 4.0)
     */
    MULTIFD("multifd", false, null),

    /**
     * If enabled, QEMU will migrate named dirty bitmaps. (since 2.12)
     */
    DIRTY_BITMAPS("dirty-bitmaps", false, null),

    /**
     * Calculate downtime for postcopy live migration (since 3.0)
     */
    POSTCOPY_BLOCKTIME("postcopy-blocktime", false, null),

    /**
     * If enabled, the destination will not activate block devices (and thus take locks) immediately at
     * the end of migration. (since 3.0)
     */
    LATE_BLOCK_ACTIVATE("late-block-activate", false, null),

    /**
     * If enabled, QEMU will not migrate shared memory (since 4.0)
     *
     * Carries the QAPI {@code unstable} feature: experimental.
     */
    X_IGNORE_SHARED("x-ignore-shared", true, null),

    /**
     * Send the UUID of the source to allow the destination to ensure it is the same. (since 4.2)
     */
    VALIDATE_UUID("validate-uuid", false, null),

    /**
     * If enabled, the migration stream will be a snapshot of the VM exactly at the point when the
     * migration procedure starts. The VM RAM is saved with running VM. (since 6.0)
     */
    BACKGROUND_SNAPSHOT("background-snapshot", false, null),

    /**
     * Controls behavior on sending memory pages on migration. When true, enables a zero-copy mechanism
     * for sending memory pages, if host supports it. Requires that QEMU be permitted to use locked
     * memory for guest RAM pages. (since 7.1)
     */
    ZERO_COPY_SEND("zero-copy-send", false, null),

    /**
     * If enabled, the migration process will allow postcopy requests to preempt precopy stream, so
     * postcopy requests will be handled faster. This is a performance feature and should not affect
     * the correctness of postcopy migration. (since 7.1)
     */
    POSTCOPY_PREEMPT("postcopy-preempt", false, null);

    private static final Map<String, MigrationCapability> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    MigrationCapability(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "postcopy-preempt"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static MigrationCapability fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "MigrationCapability");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
