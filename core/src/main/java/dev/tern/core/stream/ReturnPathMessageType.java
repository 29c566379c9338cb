package dev.tern.core.stream;

/**
 * Return-path message types ({@code enum mig_rp_message_type} and {@code rp_cmd_args} of QEMU
 * 7.2's {@code migration/migration.c}, spec §8.6), with wire numbers and fixed lengths.
 */
public enum ReturnPathMessageType {
    /** Never valid. */
    INVALID(0, -1),
    /** be32 status; the destination sends no more messages. */
    SHUT(1, 4),
    /** be32 echo of a PING. */
    PONG(2, 4),
    /** be64 start, be32 length, counted block name. */
    REQ_PAGES_ID(3, -1),
    /** be64 start, be32 length, in the last named block. */
    REQ_PAGES(4, 12),
    /** Counted block name; the bitmap follows unframed. */
    RECV_BITMAP(5, -1),
    /** be32 value, must be 1. */
    RESUME_ACK(6, 4);

    private static final ReturnPathMessageType[] BY_CODE = values();

    private final int code;
    private final int fixedLength;

    ReturnPathMessageType(int code, int fixedLength) {
        this.code = code;
        this.fixedLength = fixedLength;
    }

    /**
     * The number on the wire.
     *
     * @return the be16 type
     */
    public int code() {
        return code;
    }

    /**
     * The payload length the source insists on.
     *
     * @return the length, or -1 when it varies
     */
    public int fixedLength() {
        return fixedLength;
    }

    /**
     * The type with a wire number.
     *
     * @param code the number
     * @return the type, or null outside 0..6
     */
    public static ReturnPathMessageType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
