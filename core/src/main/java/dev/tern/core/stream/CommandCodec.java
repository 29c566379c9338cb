package dev.tern.core.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes and decodes main-channel commands (spec §8.5; QEMU {@code qemu_savevm_command_send},
 * {@code loadvm_process_command} and its handlers); layout in {@link CommandDescriptor}.
 * Every writer flushes, as QEMU does after each command.
 */
public final class CommandCodec {
    private CommandCodec() {
    }

    /**
     * A command header as read.
     *
     * @param command the command
     * @param length its payload length
     */
    public record Command(MigCommand command, int length) {
    }

    /**
     * The payload of a 16-byte POSTCOPY_ADVISE.
     *
     * @param pageSizeSummary the bitwise OR of the source's block page sizes
     * @param targetPageSize the source's target page size
     */
    public record PostcopyAdvise(long pageSizeSummary, long targetPageSize) {
    }

    /**
     * One range of a POSTCOPY_RAM_DISCARD.
     *
     * @param start the byte offset in the block
     * @param length the byte length
     */
    public record DiscardRange(long start, long length) {
    }

    /**
     * A decoded POSTCOPY_RAM_DISCARD.
     *
     * @param block the block name
     * @param ranges the ranges, in order
     */
    public record RamDiscard(String block, List<DiscardRange> ranges) {
        /** Copies the list. */
        public RamDiscard {
            ranges = List.copyOf(ranges);
        }
    }

    // ---- writing ----

    /**
     * Writes OPEN_RETURN_PATH.
     *
     * @param out the stream
     */
    public static void writeOpenReturnPath(StreamWriter out) {
        header(out, MigCommand.OPEN_RETURN_PATH, 0);
        out.flush();
    }

    /**
     * Writes PING.
     *
     * @param out the stream
     * @param value the value the PONG echoes
     */
    public static void writePing(StreamWriter out, int value) {
        header(out, MigCommand.PING, 4);
        out.put32(value);
        out.flush();
    }

    /**
     * Writes a 16-byte POSTCOPY_ADVISE (RAM postcopy).
     *
     * @param out the stream
     * @param pageSizeSummary the bitwise OR of all migrated blocks' page sizes
     * @param targetPageSize the target page size
     */
    public static void writePostcopyAdvise(StreamWriter out, long pageSizeSummary, long targetPageSize) {
        header(out, MigCommand.POSTCOPY_ADVISE, CommandDescriptor.ADVISE_LENGTH);
        out.put64(pageSizeSummary);
        out.put64(targetPageSize);
        out.flush();
    }

    /**
     * Writes an empty POSTCOPY_ADVISE (dirty-bitmaps-only postcopy).
     *
     * @param out the stream
     */
    public static void writePostcopyAdviseBitmapsOnly(StreamWriter out) {
        header(out, MigCommand.POSTCOPY_ADVISE, 0);
        out.flush();
    }

    /**
     * Writes a payload-less command: OPEN_RETURN_PATH, POSTCOPY_LISTEN, POSTCOPY_RUN,
     * ENABLE_COLO or POSTCOPY_RESUME.
     *
     * @param out the stream
     * @param command the command
     * @throws IllegalArgumentException if the command takes a payload
     */
    public static void writeEmpty(StreamWriter out, MigCommand command) {
        if (command.fixedLength() != 0) {
            throw new IllegalArgumentException(command + " takes a payload");
        }
        header(out, command, 0);
        out.flush();
    }

    /**
     * Writes POSTCOPY_RAM_DISCARD.
     *
     * @param out the stream
     * @param block the block name
     * @param ranges 1 to 12 ranges
     */
    public static void writeRamDiscard(StreamWriter out, String block, List<DiscardRange> ranges) {
        if (ranges.isEmpty() || ranges.size() > CommandDescriptor.MAX_DISCARDS_PER_COMMAND) {
            throw new IllegalArgumentException(ranges.size() + " discard ranges, expected 1 to "
                    + CommandDescriptor.MAX_DISCARDS_PER_COMMAND);
        }
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        header(out, MigCommand.POSTCOPY_RAM_DISCARD, CommandDescriptor.discardLength(name.length, ranges.size()));
        out.put8(CommandDescriptor.DISCARD_VERSION);
        out.putCountedString(name);
        out.put8(0);
        for (DiscardRange r : ranges) {
            out.put64(r.start());
            out.put64(r.length());
        }
        out.flush();
    }

    /**
     * Writes PACKAGED; the caller writes exactly {@code length} bytes of embedded stream next.
     *
     * @param out the stream
     * @param length the embedded stream's length, below 4 GiB
     */
    public static void writePackaged(StreamWriter out, long length) {
        if (length < 0 || length > CommandDescriptor.MAX_PACKAGED_SIZE) {
            throw new IllegalArgumentException("packaged length " + length + " out of range");
        }
        header(out, MigCommand.PACKAGED, 4);
        out.put32((int) length);
        out.flush();
    }

    /**
     * Writes RECV_BITMAP.
     *
     * @param out the stream
     * @param block the block name
     */
    public static void writeRecvBitmap(StreamWriter out, String block) {
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        header(out, MigCommand.RECV_BITMAP, 1 + name.length);
        out.putCountedString(name);
        out.flush();
    }

    private static void header(StreamWriter out, MigCommand command, int length) {
        out.put8(StreamHeaderDescriptor.COMMAND);
        out.put16(command.code());
        out.put16(length);
    }

    // ---- reading ----

    /**
     * Reads and checks a command header; the COMMAND byte has been read.
     *
     * @param in the stream
     * @return the command and its payload length
     * @throws StreamFormatException "MIG_CMD 0x%x unknown (len 0x%x)" or
     *     "%s received with bad length - expecting %zu, got %d"
     * @throws IOException on end of stream or channel failure
     */
    public static Command readHeader(StreamReader in) throws IOException {
        int code = in.get16();
        int length = in.get16();
        MigCommand command = MigCommand.ofCode(code);
        if (command == null || command == MigCommand.INVALID) {
            throw StreamFormatException.unknownCommand(code, length);
        }
        if (command.fixedLength() != -1 && command.fixedLength() != length) {
            throw StreamFormatException.commandBadLength(command.name(), command.fixedLength(), length);
        }
        return new Command(command, length);
    }

    /**
     * Reads a PING's value.
     *
     * @param in the stream
     * @return the value
     * @throws IOException on end of stream or channel failure
     */
    public static int readPing(StreamReader in) throws IOException {
        return (int) in.get32();
    }

    /**
     * Reads PACKAGED's length.
     *
     * @param in the stream
     * @return the embedded stream's length
     * @throws IOException on end of stream or channel failure
     */
    public static long readPackagedLength(StreamReader in) throws IOException {
        return in.get32();
    }

    /**
     * Reads a POSTCOPY_ADVISE payload ({@code loadvm_postcopy_handle_advise}).
     *
     * @param in the stream
     * @param length the command's length
     * @param postcopyRam whether postcopy-ram is on locally
     * @return the RAM advise, or empty for a 0-byte (bitmaps-only) advise
     * @throws StreamFormatException "RAM postcopy is enabled but have 0 byte advise",
     *     "RAM postcopy is disabled but have 16 byte advise" or "CMD_POSTCOPY_ADVISE invalid length (%d)"
     * @throws IOException on end of stream or channel failure
     */
    public static Optional<PostcopyAdvise> readPostcopyAdvise(StreamReader in, int length, boolean postcopyRam)
            throws IOException {
        if (length == 0) {
            if (postcopyRam) {
                throw StreamFormatException.adviseEmptyWithPostcopy();
            }
            return Optional.empty();
        }
        if (length != CommandDescriptor.ADVISE_LENGTH) {
            throw StreamFormatException.adviseInvalidLength(length);
        }
        if (!postcopyRam) {
            throw StreamFormatException.adviseWithoutPostcopy();
        }
        return Optional.of(new PostcopyAdvise(in.get64(), in.get64()));
    }

    /**
     * Compares a RAM advise with the local page sizes.
     *
     * @param advise what the source sent
     * @param localSummary the local page-size summary
     * @param localTargetPageSize the local target page size
     * @throws StreamFormatException "Postcopy needs matching RAM page sizes (s=%lx d=%lx)" or
     *     "Postcopy needs matching target page sizes (s=%d d=%zd)"
     */
    public static void checkPostcopyAdvise(PostcopyAdvise advise, long localSummary, long localTargetPageSize)
            throws StreamFormatException {
        if (advise.pageSizeSummary() != localSummary) {
            throw StreamFormatException.advisePageSizesMismatch(advise.pageSizeSummary(), localSummary);
        }
        if (advise.targetPageSize() != localTargetPageSize) {
            throw StreamFormatException.adviseTargetPageSizeMismatch(advise.targetPageSize(), localTargetPageSize);
        }
    }

    /**
     * Reads a POSTCOPY_RAM_DISCARD payload ({@code loadvm_postcopy_ram_handle_discard}).
     *
     * @param in the stream
     * @param length the command's length
     * @return the block and its ranges
     * @throws StreamFormatException "CMD_POSTCOPY_RAM_DISCARD invalid length (%d)",
     *     "... invalid version (%d)", "... Failed to read RAMBlock ID", "... missing nil (%d)"
     * @throws IOException on end of stream or channel failure
     */
    public static RamDiscard readRamDiscard(StreamReader in, int length) throws IOException {
        if (length < CommandDescriptor.MIN_DISCARD_LENGTH) {
            throw StreamFormatException.discardInvalidLength(length);
        }
        int version = in.get8();
        if (version != CommandDescriptor.DISCARD_VERSION) {
            throw StreamFormatException.discardInvalidVersion(version);
        }
        if (in.peek8() == 0) {
            throw StreamFormatException.discardNoBlockId();
        }
        String block = in.getCountedString();
        int nil = in.get8();
        if (nil != 0) {
            throw StreamFormatException.discardMissingNil(nil);
        }
        // QEMU subtracts strlen(ramid) from a uint16_t: an embedded NUL or a long name skews and wraps it.
        int left = (length - 3 - block.getBytes(StandardCharsets.UTF_8).length) & 0xFFFF;
        if (left % CommandDescriptor.DISCARD_RANGE_LENGTH != 0) {
            throw StreamFormatException.discardInvalidLength(left);
        }
        List<DiscardRange> ranges = new ArrayList<>(left / CommandDescriptor.DISCARD_RANGE_LENGTH);
        while (left > 0) {
            ranges.add(new DiscardRange(in.get64(), in.get64()));
            left -= CommandDescriptor.DISCARD_RANGE_LENGTH;
        }
        return new RamDiscard(block, ranges);
    }

    /**
     * Reads a RECV_BITMAP payload ({@code loadvm_handle_recv_bitmap}).
     *
     * @param in the stream
     * @param length the command's length
     * @return the block name
     * @throws StreamFormatException "loadvm_handle_recv_bitmap: failed to read block name" or
     *     "loadvm_handle_recv_bitmap: invalid payload length (%d)"
     * @throws IOException on end of stream or channel failure
     */
    public static String readRecvBitmap(StreamReader in, int length) throws IOException {
        int count = in.peek8();
        if (count == 0) {
            throw StreamFormatException.recvBitmapNoName();
        }
        String block = in.getCountedString();
        if (length != count + 1) {
            throw StreamFormatException.recvBitmapBadLength(length);
        }
        return block;
    }
}
