package dev.tern.api;

/**
 * Thrown when a command does not fit the current migration state (a migration in progress, not paused, not in postcopy, and so on).
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own.
 */
public final class MigrationStateException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public MigrationStateException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }
}
