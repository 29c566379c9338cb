package dev.tern.core.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes return-path messages (spec §8.6; QEMU {@code migrate_send_rp_message} and
 * {@code source_return_path_thread}); layout in {@link ReturnPathDescriptor}. Every writer flushes.
 * The decoder checks the framing; what a message means (a non-zero SHUT, a RESUME_ACK other than
 * 1, a page request outside a block) is the engine's to judge.
 */
public final class ReturnPathCodec {
    private ReturnPathCodec() {
    }

    /**
     * Writes SHUT.
     *
     * @param out the return path
     * @param status 0 for success
     */
    public static void writeShut(StreamWriter out, int status) {
        header(out, ReturnPathMessageType.SHUT, 4);
        out.put32(status);
        out.flush();
    }

    /**
     * Writes PONG.
     *
     * @param out the return path
     * @param value the PING's value
     */
    public static void writePong(StreamWriter out, int value) {
        header(out, ReturnPathMessageType.PONG, 4);
        out.put32(value);
        out.flush();
    }

    /**
     * Writes REQ_PAGES_ID.
     *
     * @param out the return path
     * @param block the block name
     * @param start the byte offset in the block
     * @param length the byte length
     */
    public static void writeReqPagesId(StreamWriter out, String block, long start, int length) {
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        header(out, ReturnPathMessageType.REQ_PAGES_ID, ReturnPathDescriptor.reqPagesIdLength(name.length));
        out.put64(start);
        out.put32(length);
        out.putCountedString(name);
        out.flush();
    }

    /**
     * Writes REQ_PAGES.
     *
     * @param out the return path
     * @param start the byte offset in the last named block
     * @param length the byte length
     */
    public static void writeReqPages(StreamWriter out, long start, int length) {
        header(out, ReturnPathMessageType.REQ_PAGES, ReturnPathDescriptor.REQ_PAGES_LENGTH);
        out.put64(start);
        out.put32(length);
        out.flush();
    }

    /**
     * Writes the RECV_BITMAP header; the bitmap follows unframed.
     *
     * @param out the return path
     * @param block the block name
     */
    public static void writeRecvBitmap(StreamWriter out, String block) {
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        header(out, ReturnPathMessageType.RECV_BITMAP, 1 + name.length);
        out.putCountedString(name);
        out.flush();
    }

    /**
     * Writes RESUME_ACK.
     *
     * @param out the return path
     * @param value {@link ReturnPathDescriptor#RESUME_ACK_VALUE}
     */
    public static void writeResumeAck(StreamWriter out, int value) {
        header(out, ReturnPathMessageType.RESUME_ACK, 4);
        out.put32(value);
        out.flush();
    }

    /**
     * Reads one message.
     *
     * @param in the return path
     * @return the message
     * @throws StreamFormatException "RP: Received invalid message 0x%04x length 0x%04x",
     *     the length error ("RP: Received '%s' message (0x%04x) withincorrect length %d expecting %zu"),
     *     "RP: Failed reading data for message 0x%04x read %d expected %d",
     *     "RP: Req_Page_id with length %d expecting %zd" or
     *     "source_return_path_thread: missing block name"
     * @throws IOException on end of stream inside the header, or channel failure
     */
    public static ReturnPathMessage read(StreamReader in) throws IOException {
        int code = in.get16();
        int length = in.get16();
        ReturnPathMessageType type = ReturnPathMessageType.ofCode(code);
        if (type == null || type == ReturnPathMessageType.INVALID) {
            throw StreamFormatException.returnPathInvalidMessage(code, length);
        }
        if ((type.fixedLength() != -1 && length != type.fixedLength()) || length > ReturnPathDescriptor.MAX_PAYLOAD) {
            throw StreamFormatException.returnPathBadLength(type.name(), code, length, type.fixedLength());
        }
        byte[] payload = new byte[length];
        int read = in.getBuffer(payload, 0, length);
        if (read != length) {
            throw StreamFormatException.returnPathShortRead(code, read, length);
        }
        ByteBuffer buf = ByteBuffer.wrap(payload);
        return switch (type) {
            case SHUT -> new ReturnPathMessage.Shut(buf.getInt(0));
            case PONG -> new ReturnPathMessage.Pong(buf.getInt(0));
            case REQ_PAGES -> new ReturnPathMessage.ReqPages(buf.getLong(0), buf.getInt(ReturnPathDescriptor.REQ_LENGTH_OFFSET));
            case REQ_PAGES_ID -> reqPagesId(buf, length);
            case RECV_BITMAP -> recvBitmap(payload, length);
            case RESUME_ACK -> new ReturnPathMessage.ResumeAck(buf.getInt(0));
            case INVALID -> throw new AssertionError("refused above");
        };
    }

    private static ReturnPathMessage reqPagesId(ByteBuffer buf, int length) throws StreamFormatException {
        int expected = ReturnPathDescriptor.REQ_NAME_OFFSET;
        if (length >= expected) {
            expected += buf.get(ReturnPathDescriptor.REQ_NAME_LENGTH_OFFSET) & 0xFF;
        }
        if (length != expected) {
            throw StreamFormatException.returnPathReqPagesIdLength(length, expected);
        }
        byte[] name = new byte[length - ReturnPathDescriptor.REQ_NAME_OFFSET];
        buf.get(ReturnPathDescriptor.REQ_NAME_OFFSET, name);
        return new ReturnPathMessage.ReqPagesId(buf.getLong(0), buf.getInt(ReturnPathDescriptor.REQ_LENGTH_OFFSET),
                StreamReader.cString(name, name.length));
    }

    private static ReturnPathMessage recvBitmap(byte[] payload, int length) throws StreamFormatException {
        if (length < 1) {
            throw StreamFormatException.returnPathRecvBitmapNoName();
        }
        // QEMU reads a name byte count beyond the payload from stale buffer bytes; Tern cuts it to the payload.
        int n = Math.min(payload[0] & 0xFF, length - 1);
        byte[] name = new byte[n];
        System.arraycopy(payload, 1, name, 0, n);
        return new ReturnPathMessage.RecvBitmap(StreamReader.cString(name, n));
    }

    private static void header(StreamWriter out, ReturnPathMessageType type, int length) {
        out.put16(type.code());
        out.put16(length);
    }
}
