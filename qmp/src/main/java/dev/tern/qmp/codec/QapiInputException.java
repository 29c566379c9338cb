package dev.tern.qmp.codec;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;

/**
 * A QMP argument that QEMU 7.2's QObject input visitor ({@code qapi/qobject-input-visitor.c}
 * and {@code qapi/qapi-visit-core.c}) would reject, with QEMU's text. Always a
 * {@link ErrorClass#GENERIC_ERROR}.
 *
 * <p>QEMU names a member by its full path ({@code capabilities[0].state}) when it reports a
 * wrong JSON type or a missing or unexpected member, but by its plain name when it reports an
 * integer out of range, an unknown enum value or a bad alternate; a list element has no plain
 * name and is reported as {@code null}. The factories take whichever name QEMU uses.
 */
public final class QapiInputException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private QapiInputException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }

    /**
     * The JSON value has the wrong type ({@code QERR_INVALID_PARAMETER_TYPE}).
     *
     * @param fullName the member's full path
     * @param expected what QEMU says it expected: {@code integer}, {@code number},
     *     {@code boolean}, {@code string}, {@code object}, {@code array}, or an alternate's name
     * @return {@code Invalid parameter type for 'NAME', expected: EXPECTED}
     */
    public static QapiInputException invalidType(String fullName, String expected) {
        return new QapiInputException("Invalid parameter type for '" + fullName + "', expected: " + expected);
    }

    /**
     * The value is not one the type allows ({@code QERR_INVALID_PARAMETER_VALUE}): not an
     * unsigned 64-bit integer, or outside a narrower unsigned type.
     *
     * @param name the full path for {@code uint64}, the plain name for {@code uint8_t} and
     *     friends
     * @param expected {@code uint64}, {@code uint8_t}, {@code uint16_t} or {@code uint32_t}
     * @return {@code Parameter 'NAME' expects EXPECTED}
     */
    public static QapiInputException invalidValue(String name, String expected) {
        return new QapiInputException("Parameter '" + name + "' expects " + expected);
    }

    /**
     * A required member is absent ({@code QERR_MISSING_PARAMETER}).
     *
     * @param fullName the member's full path
     * @return {@code Parameter 'NAME' is missing}
     */
    public static QapiInputException missing(String fullName) {
        return new QapiInputException("Parameter '" + fullName + "' is missing");
    }

    /**
     * A member the type does not have.
     *
     * @param fullName the member's full path
     * @return {@code Parameter 'NAME' is unexpected}
     */
    public static QapiInputException unexpected(String fullName) {
        return new QapiInputException("Parameter '" + fullName + "' is unexpected");
    }

    /**
     * A string that names no member of the enum.
     *
     * @param name the member's plain name ({@code null} for a list element)
     * @param value the string received
     * @return {@code Parameter 'NAME' does not accept value 'VALUE'}
     */
    public static QapiInputException enumValue(String name, String value) {
        return new QapiInputException("Parameter '" + name + "' does not accept value '" + value + "'");
    }
}
