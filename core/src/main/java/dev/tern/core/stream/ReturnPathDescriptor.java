package dev.tern.core.stream;

/**
 * Return-path messages, destination to source on the reverse direction of the main channel
 * (spec §8.6, QEMU {@code migrate_send_rp_message}, {@code source_return_path_thread}).
 *
 * <pre>
 *  +----------+----------+------------------+
 *  | type     | len      | payload          |
 *  | be16     | be16     | len bytes (&lt;=512)|
 *  +----------+----------+------------------+
 *  offset 0     2          4
 *
 *  SHUT          len 4:     be32 status (0 ok)
 *  PONG          len 4:     be32 echo of PING
 *  REQ_PAGES_ID  len 13+n:  be64 start, be32 length, u8 n, n bytes of block name
 *  REQ_PAGES     len 12:    be64 start, be32 length
 *  RECV_BITMAP   len 1+n:   u8 n, block name; then, unframed: be64 size S, S bytes, be64 0x0123456789ABCDEF
 *  RESUME_ACK    len 4:     be32 value (must be 1)
 * </pre>
 */
public final class ReturnPathDescriptor {
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 2;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = 4;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 4;
    /** Largest payload the source accepts (its {@code buf[512]}). */
    public static final int MAX_PAYLOAD = 512;
    /** Offset of the length in a page request payload. */
    public static final int REQ_LENGTH_OFFSET = 8;
    /** Offset of the name length in a REQ_PAGES_ID payload. */
    public static final int REQ_NAME_LENGTH_OFFSET = 12;
    /** Offset of the name in a REQ_PAGES_ID payload. */
    public static final int REQ_NAME_OFFSET = 13;
    /** Bytes of a REQ_PAGES payload. */
    public static final int REQ_PAGES_LENGTH = 12;
    /** {@code MIGRATION_RESUME_ACK_VALUE}. */
    public static final int RESUME_ACK_VALUE = 1;
    /** {@code RAMBLOCK_RECV_BITMAP_ENDING}. */
    public static final long RECV_BITMAP_END_MARK = 0x0123456789ABCDEFL;

    private ReturnPathDescriptor() {
    }

    /**
     * Payload length of a REQ_PAGES_ID message.
     *
     * @param nameLength bytes of the block name
     * @return 13 + the name length
     */
    public static int reqPagesIdLength(int nameLength) {
        return REQ_NAME_OFFSET + nameLength;
    }
}
