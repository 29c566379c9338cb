package dev.tern.api;

/**
 * QMP error classes (QAPI enum {@code QapiErrorClass}). Almost every migration error is a
 * {@link #GENERIC_ERROR}; the others exist for the few places QEMU uses them.
 */
public enum ErrorClass {
    /** {@code GenericError}: the default for every error. */
    GENERIC_ERROR("GenericError"),
    /** {@code CommandNotFound}: the requested command has not been found. */
    COMMAND_NOT_FOUND("CommandNotFound"),
    /** {@code DeviceNotActive}: a device has failed to be become active. */
    DEVICE_NOT_ACTIVE("DeviceNotActive"),
    /** {@code DeviceNotFound}: the requested device has not been found. */
    DEVICE_NOT_FOUND("DeviceNotFound"),
    /** {@code KVMMissingCap}: the requested operation can't be fulfilled because a required KVM capability is missing. */
    KVM_MISSING_CAP("KVMMissingCap");

    private final String qapiName;

    ErrorClass(String qapiName) {
        this.qapiName = qapiName;
    }

    /**
     * The class name as QMP reports it in {@code error.class}.
     *
     * @return for example {@code "GenericError"}
     */
    public String qapiName() {
        return qapiName;
    }
}
