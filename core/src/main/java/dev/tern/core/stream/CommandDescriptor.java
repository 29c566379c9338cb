package dev.tern.core.stream;

/**
 * Commands on the main channel (spec §8.5, QEMU {@code qemu_savevm_command_send}).
 *
 * <pre>
 *  +------+----------+----------+------------------+
 *  | 0x08 | cmd      | len      | payload          |
 *  | u8   | be16     | be16     | len bytes        |
 *  +------+----------+----------+------------------+
 *  offset 0  1          3          5
 *
 *  PING             len 4:   be32 value
 *  POSTCOPY_ADVISE  len 16:  be64 page-size summary, be64 target page size  (or len 0)
 *  POSTCOPY_RAM_DISCARD:     u8 version 0, u8 n, name, u8 0, N x (be64 start, be64 length), N &lt;= 12
 *  PACKAGED         len 4:   be32 L, then L bytes of embedded stream (outside the command)
 *  RECV_BITMAP:              u8 n, name
 * </pre>
 *
 * The sender flushes after every command.
 */
public final class CommandDescriptor {
    /** Offset of the command number. */
    public static final int CMD_OFFSET = 1;
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET = 3;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = 5;
    /** Bytes of the command header including the type byte. */
    public static final int HEADER_LENGTH = 5;
    /** {@code postcopy_ram_discard_version}. */
    public static final int DISCARD_VERSION = 0;
    /** {@code MAX_DISCARDS_PER_COMMAND}. */
    public static final int MAX_DISCARDS_PER_COMMAND = 12;
    /** Bytes of one discard range. */
    public static final int DISCARD_RANGE_LENGTH = 16;
    /** Shortest valid discard payload: version, name length, one name byte, nil, one range. */
    public static final int MIN_DISCARD_LENGTH = 1 + 1 + 1 + 1 + 2 * 8;
    /** Bytes of the advise payload with RAM postcopy. */
    public static final int ADVISE_LENGTH = 16;
    /** Largest PACKAGED length ({@code MAX_VM_CMD_PACKAGED_SIZE}). */
    public static final long MAX_PACKAGED_SIZE = 0xFFFF_FFFFL;

    private CommandDescriptor() {
    }

    /**
     * Payload length of a discard command.
     *
     * @param nameLength bytes of the block name
     * @param ranges number of ranges
     * @return the payload length
     */
    public static int discardLength(int nameLength, int ranges) {
        return 3 + nameLength + ranges * DISCARD_RANGE_LENGTH;
    }
}
