package dev.tern.api;

/**
 * Thrown when a capability combination or change is refused (QEMU's {@code migrate_caps_check} and friends).
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own. Each factory's Javadoc names the rule that raises it, so
 * message and meaning stay together. The texts are QEMU 7.2's {@code error.desc} strings; QEMU's
 * hints (printed only on its command line, never sent over QMP) are not part of them.
 */
public final class CapabilityException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /** Shared with {@link ParameterException#zeroCopyConflict()}: QEMU uses the same text for both checks. */
    static final String ZERO_COPY_REQUIREMENTS =
            "Zero copy only available for non-compressed non-TLS multifd migration";

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public CapabilityException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }

    /**
     * {@code block} was turned on, but old-style block migration is not built in (QEMU without
     * {@code CONFIG_LIVE_BLOCK_MIGRATION}; Tern never has it). QEMU appends the hint
     * "Use drive_mirror+NBD instead." only on its command line, so the QMP text has no hint.
     *
     * @return the error
     */
    public static CapabilityException blockMigrationUnavailable() {
        return new CapabilityException("QEMU compiled without old-style (blk/-b, inc/-i) block migration");
    }

    /**
     * {@code postcopy-ram} was turned on at a destination whose host cannot run postcopy (the
     * userfaultfd probe failed or the guest offers no missing-page handling).
     *
     * @return the error
     */
    public static CapabilityException postcopyUnsupported() {
        return new CapabilityException("Postcopy is not supported");
    }

    /**
     * {@code postcopy-ram} and {@code x-ignore-shared} are both on.
     *
     * @return the error
     */
    public static CapabilityException postcopyIgnoreShared() {
        return new CapabilityException("Postcopy is not compatible with ignore-shared");
    }

    /**
     * {@code background-snapshot} is on, but the host cannot write-protect guest memory.
     *
     * @return the error
     */
    public static CapabilityException backgroundSnapshotUnsupportedByHost() {
        return new CapabilityException("Background-snapshot is not supported by host kernel");
    }

    /**
     * {@code background-snapshot} is on, but some RAM block cannot be write-protected.
     *
     * @return the error
     */
    public static CapabilityException backgroundSnapshotMemoryIncompatible() {
        return new CapabilityException("Background-snapshot is not compatible with guest memory configuration");
    }

    /**
     * {@code background-snapshot} is on together with a capability it cannot work with.
     *
     * @param other the conflicting capability, named by its QAPI name in the message
     * @return the error
     */
    public static CapabilityException backgroundSnapshotIncompatible(MigrationCapability other) {
        return new CapabilityException("Background-snapshot is not compatible with " + other.qapiName());
    }

    /**
     * {@code zero-copy-send} is on (Linux) without {@code multifd}, or with {@code compress},
     * {@code xbzrle}, a {@code multifd-compression} other than none, or TLS.
     *
     * @return the error
     */
    public static CapabilityException zeroCopyRequirements() {
        return new CapabilityException(ZERO_COPY_REQUIREMENTS);
    }

    /**
     * {@code zero-copy-send} is on, but the host is not Linux.
     *
     * @return the error
     */
    public static CapabilityException zeroCopyLinuxOnly() {
        return new CapabilityException("Zero copy currently only available on Linux");
    }

    /**
     * {@code multifd} is on at a destination whose incoming listener was started on a
     * single-channel transport (anything but tcp, unix and vsock).
     *
     * @return the error
     */
    public static CapabilityException multifdUnsupportedByProtocol() {
        return new CapabilityException("multifd is not supported by current protocol");
    }

    /**
     * {@code postcopy-preempt} is on without {@code postcopy-ram}.
     *
     * @return the error
     */
    public static CapabilityException postcopyPreemptRequiresPostcopyRam() {
        return new CapabilityException("Postcopy preempt requires postcopy-ram");
    }

    /**
     * {@code postcopy-preempt} and {@code compress} are both on.
     *
     * @return the error
     */
    public static CapabilityException postcopyPreemptCompress() {
        return new CapabilityException("Postcopy preempt not compatible with compress");
    }

    /**
     * {@code multifd} and {@code compress} are both on.
     *
     * @return the error
     */
    public static CapabilityException multifdCompress() {
        return new CapabilityException("Multifd is not compatible with compress");
    }
}
