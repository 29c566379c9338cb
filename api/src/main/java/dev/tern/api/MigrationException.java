package dev.tern.api;

import java.util.Objects;

/**
 * The error every Tern command reports: a QMP error class and a human-readable message that,
 * wherever QEMU 7.2 has one, is QEMU's own text (clients and test suites match on some of them).
 *
 * <p>Messages are built where the failure family is declared: see {@link CapabilityException},
 * {@link ParameterException}, {@link MigrationStateException} and
 * {@link UnavailableFeatureException}.
 */
public class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    /**
     * Creates an error.
     *
     * @param errorClass the QMP error class
     * @param message the human-readable description ({@code error.desc} in QMP)
     */
    public MigrationException(ErrorClass errorClass, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
    }

    /**
     * Creates an error with a cause.
     *
     * @param errorClass the QMP error class
     * @param message the human-readable description
     * @param cause what went wrong underneath
     */
    public MigrationException(ErrorClass errorClass, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
    }

    /**
     * Creates a {@link ErrorClass#GENERIC_ERROR}.
     *
     * @param message the description
     * @return the error
     */
    public static MigrationException generic(String message) {
        return new MigrationException(ErrorClass.GENERIC_ERROR, message);
    }

    /**
     * The QMP error class.
     *
     * @return the class
     */
    public ErrorClass errorClass() {
        return errorClass;
    }
}
