package dev.tern.api;

/**
 * Thrown when a command or capability needs something this guest, host or build does not have; the message names what is missing.
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own.
 */
public final class UnavailableFeatureException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public UnavailableFeatureException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }
}
