package dev.tern.core.device;

import dev.tern.core.stream.StreamWriter;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.Objects;

/**
 * {@link DataOutput} over a {@link StreamWriter}, so a device's {@code save} writes big-endian
 * values straight into the stream's buffer: no {@code byte[]} per call. Each write reports the
 * stream's latched error, so a device stops saving as soon as the channel has failed.
 */
public final class StreamDataOutput implements DataOutput {
    private final StreamWriter out;

    /**
     * An adapter.
     *
     * @param out the stream
     */
    public StreamDataOutput(StreamWriter out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void write(int b) throws IOException {
        out.put8(b);
        check();
    }

    @Override
    public void write(byte[] b) throws IOException {
        out.putBytes(b);
        check();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.putBytes(b, off, len);
        check();
    }

    @Override
    public void writeBoolean(boolean v) throws IOException {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) throws IOException {
        write(v);
    }

    @Override
    public void writeShort(int v) throws IOException {
        out.put16(v);
        check();
    }

    @Override
    public void writeChar(int v) throws IOException {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) throws IOException {
        out.put32(v);
        check();
    }

    @Override
    public void writeLong(long v) throws IOException {
        out.put64(v);
        check();
    }

    @Override
    public void writeFloat(float v) throws IOException {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) throws IOException {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            out.put8(s.charAt(i));
        }
        check();
    }

    @Override
    public void writeChars(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            out.put16(s.charAt(i));
        }
        check();
    }

    /** Modified UTF-8 with a be16 length, as {@link java.io.DataOutputStream#writeUTF}. */
    @Override
    public void writeUTF(String s) throws IOException {
        long length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            length += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        if (length > 0xFFFF) {
            throw new UTFDataFormatException("encoded string too long: " + length + " bytes");
        }
        out.put16((int) length);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x0001 && c <= 0x007F) {
                out.put8(c);
            } else if (c <= 0x07FF) {
                out.put8(0xC0 | (c >> 6));
                out.put8(0x80 | (c & 0x3F));
            } else {
                out.put8(0xE0 | (c >> 12));
                out.put8(0x80 | ((c >> 6) & 0x3F));
                out.put8(0x80 | (c & 0x3F));
            }
        }
        check();
    }

    private void check() throws IOException {
        if (out.failed()) {
            throw out.error().orElseThrow();
        }
    }
}
