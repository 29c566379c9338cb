package dev.tern.core.stream;

import java.nio.charset.StandardCharsets;

/**
 * Section records and their footer (spec §8.1, QEMU {@code save_section_header},
 * {@code save_section_footer}).
 *
 * <pre>
 * START (0x01) / FULL (0x04):
 *  +------+----------------+-------+------------------+----------------+----------------+
 *  | type | section_id     | idlen | idstr            | instance_id    | version_id     |
 *  | u8   | be32           | u8    | idlen bytes      | be32           | be32           |
 *  +------+----------------+-------+------------------+----------------+----------------+
 *  offset 0   1                5       6                6+idlen          10+idlen   (14+idlen total)
 *
 * PART (0x02) / END (0x03):
 *  +------+----------------+
 *  | type | section_id     |
 *  | u8   | be32           |
 *  +------+----------------+   5 bytes
 *
 * then the handler's data, then the footer:
 *  +------+----------------+
 *  | 0x7E | section_id     |   same id as the header
 *  | u8   | be32           |
 *  +------+----------------+   5 bytes
 * </pre>
 *
 * Section ids are the sender's registration indices; the receiver binds them at START/FULL by
 * {@code (idstr, instance_id)} and resolves PART/END by the bound id ({@link SectionTable}).
 */
public final class SectionDescriptor {
    /** Offset of the section id, after the type byte. */
    public static final int SECTION_ID_OFFSET = 1;
    /** Offset of the idstr length byte in a START/FULL header. */
    public static final int IDSTR_LENGTH_OFFSET = 5;
    /** Offset of the first idstr byte in a START/FULL header. */
    public static final int IDSTR_OFFSET = 6;
    /** Longest idstr: its length is one byte. */
    public static final int MAX_IDSTR_LENGTH = 255;
    /** Bytes of a PART/END header. */
    public static final int PART_END_HEADER_LENGTH = 5;
    /** Bytes of a footer: marker and section id. */
    public static final int FOOTER_LENGTH = 5;

    private SectionDescriptor() {
    }

    /**
     * Offset of the instance id in a START/FULL header.
     *
     * @param idstrLength bytes of the idstr
     * @return the offset
     */
    public static int instanceIdOffset(int idstrLength) {
        return IDSTR_OFFSET + idstrLength;
    }

    /**
     * Offset of the version id in a START/FULL header.
     *
     * @param idstrLength bytes of the idstr
     * @return the offset
     */
    public static int versionIdOffset(int idstrLength) {
        return IDSTR_OFFSET + idstrLength + 4;
    }

    /**
     * Bytes of a START/FULL header.
     *
     * @param idstrLength bytes of the idstr
     * @return the header length
     */
    public static int startFullHeaderLength(int idstrLength) {
        return IDSTR_OFFSET + idstrLength + 8;
    }

    /**
     * Bytes of a START/FULL header for an idstr.
     *
     * @param idstr the section's id string
     * @return the header length
     */
    public static int startFullHeaderLength(String idstr) {
        return startFullHeaderLength(idstr.getBytes(StandardCharsets.UTF_8).length);
    }
}
