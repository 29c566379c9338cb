package dev.tern.api;

/**
 * Thrown when a capability combination or change is refused (QEMU's {@code migrate_caps_check} and friends).
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own.
 */
public final class CapabilityException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public CapabilityException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }
}
