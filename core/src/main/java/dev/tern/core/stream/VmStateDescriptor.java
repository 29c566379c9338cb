package dev.tern.core.stream;

/**
 * A vmstate subsection (spec §8.1, QEMU {@code vmstate_subsection_save}): after a vmstate's
 * fields, each needed subsection is written as
 *
 * <pre>
 *  +------+---------+----------------------------+----------------+------------------+
 *  | 0x05 | namelen | name "&lt;parent&gt;/&lt;sub&gt;"      | version_id     | subsection fields|
 *  | u8   | u8      | namelen bytes (no NUL)     | be32           | ...              |
 *  +------+---------+----------------------------+----------------+------------------+
 *  offset 0  1         2                            2+namelen        6+namelen
 * </pre>
 *
 * The loader peeks: a next byte other than 0x05, a name shorter than {@code parent + 1} or a
 * name without the parent's prefix ends the subsections (the bytes are left for whoever reads
 * next); a name under the prefix that the loader does not know is a load error. The loader keeps
 * the version in a {@code uint8_t}, so only the low byte of the be32 counts.
 */
public final class VmStateDescriptor {
    /** {@code QEMU_VM_SUBSECTION}. */
    public static final int SUBSECTION = StreamHeaderDescriptor.SUBSECTION;
    /** Offset of the name length. */
    public static final int NAME_LENGTH_OFFSET = 1;
    /** Offset of the name. */
    public static final int NAME_OFFSET = 2;
    /** Longest name: its length is one byte. */
    public static final int MAX_NAME_LENGTH = 255;

    private VmStateDescriptor() {
    }

    /**
     * Offset of the version id.
     *
     * @param nameLength bytes of the name
     * @return the offset
     */
    public static int versionOffset(int nameLength) {
        return NAME_OFFSET + nameLength;
    }

    /**
     * Bytes of a subsection header.
     *
     * @param nameLength bytes of the name
     * @return marker, length, name and version
     */
    public static int headerLength(int nameLength) {
        return NAME_OFFSET + nameLength + 4;
    }
}
