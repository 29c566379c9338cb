package dev.tern.api;

/**
 * Range checks of QAPI's fixed-width integer types, failing with the text QEMU's QAPI input
 * visitor uses, for example {@code Parameter 'compress-level' expects uint8_t}.
 */
public final class QapiRange {
    private QapiRange() {
    }

    /**
     * Checks a {@code uint8} member.
     *
     * @param member the QAPI member name
     * @param value the value
     * @return the value
     * @throws MigrationException (GenericError) if the value is outside 0..255
     */
    public static int uint8(String member, long value) {
        if (value < 0 || value > 0xFF) {
            throw MigrationException.generic("Parameter '" + member + "' expects uint8_t");
        }
        return (int) value;
    }

    /**
     * Checks a {@code uint32} member.
     *
     * @param member the QAPI member name
     * @param value the value
     * @return the value
     * @throws MigrationException (GenericError) if the value is outside 0..4294967295
     */
    public static long uint32(String member, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw MigrationException.generic("Parameter '" + member + "' expects uint32_t");
        }
        return value;
    }
}
