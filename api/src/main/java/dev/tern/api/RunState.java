package dev.tern.api;

import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of VM run states (run-state.json). The migration commands consult and change it:
 * a destination waits in inmigrate, a source that completed ends in postmigrate.
 *
 * QAPI enum {@code RunState}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 0.14.
 */
public enum RunState implements QapiEnum {
    /**
     * QEMU is running on a debugger
     */
    DEBUG("debug", false, null),

    /**
     * guest is paused waiting for an incoming migration.
     */
    INMIGRATE("inmigrate", false, null),

    /**
     * An internal error that prevents further guest execution has occurred
     */
    INTERNAL_ERROR("internal-error", false, null),

    /**
     * the last IOP has failed and the device is configured to pause on I/O errors
     */
    IO_ERROR("io-error", false, null),

    /**
     * guest has been paused via the 'stop' command
     */
    PAUSED("paused", false, null),

    /**
     * guest is paused following a successful 'migrate'
     */
    POSTMIGRATE("postmigrate", false, null),

    /**
     * QEMU was started with -S and guest has not started
     */
    PRELAUNCH("prelaunch", false, null),

    /**
     * guest is paused to finish the migration process
     */
    FINISH_MIGRATE("finish-migrate", false, null),

    /**
     * guest is paused to restore VM state
     */
    RESTORE_VM("restore-vm", false, null),

    /**
     * guest is actively running
     */
    RUNNING("running", false, null),

    /**
     * guest is paused to save the VM state
     */
    SAVE_VM("save-vm", false, null),

    /**
     * guest is shut down (and -no-shutdown is in use)
     */
    SHUTDOWN("shutdown", false, null),

    /**
     * guest is suspended (ACPI S3)
     */
    SUSPENDED("suspended", false, null),

    /**
     * the watchdog action is configured to pause and has been triggered
     */
    WATCHDOG("watchdog", false, null),

    /**
     * guest has been panicked as a result of guest OS panic
     */
    GUEST_PANICKED("guest-panicked", false, null),

    /**
     * guest is paused to save/restore VM state under colo checkpoint, VM can not get into this state
     * unless colo capability is enabled for migration.
     */
    COLO("colo", false, null);

    private static final Map<String, RunState> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    RunState(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "colo"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static RunState fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "RunState");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
