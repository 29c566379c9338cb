package dev.tern.core.stream;

/**
 * The main channel's commands ({@code enum qemu_vm_cmd} and {@code mig_cmd_args} of QEMU 7.2's
 * {@code migration/savevm.c}, spec §8.5), with their wire numbers and fixed payload lengths.
 */
public enum MigCommand {
    /** Never valid on the wire. */
    INVALID(0, -1),
    /** The destination opens the return path. */
    OPEN_RETURN_PATH(1, 0),
    /** be32 value; answered by PONG on the return path. */
    PING(2, 4),
    /** 0 or 16 bytes: page-size summary and target page size. */
    POSTCOPY_ADVISE(3, -1),
    /** The destination starts its listen thread. */
    POSTCOPY_LISTEN(4, 0),
    /** The destination starts the VM. */
    POSTCOPY_RUN(5, 0),
    /** Ranges of one block to discard. */
    POSTCOPY_RAM_DISCARD(6, -1),
    /** be32 length of an embedded stream that follows. */
    PACKAGED(7, 4),
    /** The destination enters COLO mode. */
    ENABLE_COLO(8, 0),
    /** Postcopy recovery: the source is ready to resume. */
    POSTCOPY_RESUME(9, 0),
    /** Asks for a block's received bitmap on the return path. */
    RECV_BITMAP(10, -1);

    private static final MigCommand[] BY_CODE = values();

    private final int code;
    private final int fixedLength;

    MigCommand(int code, int fixedLength) {
        this.code = code;
        this.fixedLength = fixedLength;
    }

    /**
     * The number on the wire.
     *
     * @return the be16 command number
     */
    public int code() {
        return code;
    }

    /**
     * The payload length QEMU insists on.
     *
     * @return the length, or -1 when it varies
     */
    public int fixedLength() {
        return fixedLength;
    }

    /**
     * The command with a wire number.
     *
     * @param code the number
     * @return the command, or null for a number outside 0..10
     */
    public static MigCommand ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
