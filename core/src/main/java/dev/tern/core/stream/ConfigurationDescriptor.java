package dev.tern.core.stream;

import dev.tern.api.MigrationCapability;
import java.util.Set;

/**
 * The configuration vmstate that follows the stream header (spec §8.2, QEMU
 * {@code vmstate_configuration}, version 1, no section header or footer).
 *
 * <pre>
 *  +------+----------------+---------------------------+
 *  | 0x07 | len            | machine type (no NUL)     |
 *  | u8   | be32           | len bytes                 |
 *  +------+----------------+---------------------------+
 *  then optional subsections, in this order (VmStateDescriptor layout):
 *  +------+------+------------------------------------+---------------+-------------------------+
 *  | 0x05 | 30   | "configuration/target-page-bits"   | be32 version 1| be32 page_bits          |
 *  +------+------+------------------------------------+---------------+-------------------------+
 *  | 0x05 | 26   | "configuration/capabilities"       | be32 version 1| be32 count,             |
 *  |      |      |                                    |               | count x (u8 len, name)  |
 *  +------+------+------------------------------------+---------------+-------------------------+
 *  | 0x05 | 18   | "configuration/uuid"               | be32 version 1| 16 raw bytes            |
 *  +------+------+------------------------------------+---------------+-------------------------+
 * </pre>
 *
 * target-page-bits is sent only when the page bits exceed the architecture minimum (never on
 * x86, whose minimum is the 4 KiB page); capabilities only when a validated capability is on;
 * uuid only when the source has a UUID and {@code validate-uuid} is on.
 */
public final class ConfigurationDescriptor {
    /** The vmstate name, the prefix of every subsection name. */
    public static final String VMSD_NAME = "configuration";
    /** The vmstate version. */
    public static final int VERSION = 1;
    /** Offset of the machine type length, after the CONFIGURATION byte. */
    public static final int NAME_LENGTH_OFFSET = 1;
    /** Offset of the machine type bytes. */
    public static final int NAME_OFFSET = 5;

    /** Subsection carrying {@code TARGET_PAGE_BITS}. */
    public static final String TARGET_PAGE_BITS = "configuration/target-page-bits";
    /** Subsection carrying the validated capabilities that are on. */
    public static final String CAPABILITIES = "configuration/capabilities";
    /** Subsection carrying the source's UUID. */
    public static final String UUID = "configuration/uuid";
    /** Version of every configuration subsection. */
    public static final int SUBSECTION_VERSION = 1;
    /** Bytes of the raw UUID. */
    public static final int UUID_LENGTH = 16;

    /** x86's minimum (and only) {@code TARGET_PAGE_BITS}: 4 KiB pages. */
    public static final int X86_TARGET_PAGE_BITS = 12;

    /**
     * Capabilities that must be equal on both sides (QEMU
     * {@code should_validate_capability}): only {@code x-ignore-shared} in 7.2.
     */
    public static final Set<MigrationCapability> VALIDATED_CAPABILITIES =
            Set.of(MigrationCapability.X_IGNORE_SHARED);

    private ConfigurationDescriptor() {
    }

    /**
     * Bytes of the configuration record without subsections.
     *
     * @param machineTypeLength bytes of the machine type name
     * @return type byte, length and name
     */
    public static int baseLength(int machineTypeLength) {
        return NAME_OFFSET + machineTypeLength;
    }
}
