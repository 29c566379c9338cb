package dev.tern.api;

/**
 * Thrown when a migration parameter is out of range or inconsistent (QEMU's {@code migrate_params_check}); messages follow QEMU's {@code Parameter '%s' expects %s}.
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own.
 */
public final class ParameterException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public ParameterException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }
}
