package dev.tern.core.device;

import dev.tern.core.stream.StreamReader;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Objects;

/**
 * {@link DataInput} over a {@link StreamReader}, so a device's {@code load} reads big-endian
 * values straight from the stream's buffer. The end of the stream raises {@link EOFException}.
 */
public final class StreamDataInput implements DataInput {
    private final StreamReader in;

    /**
     * An adapter.
     *
     * @param in the stream
     */
    public StreamDataInput(StreamReader in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        in.getBytes(b);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        in.getBytes(b, off, len);
    }

    /** Skips exactly {@code n} bytes, or fails with {@link EOFException}. */
    @Override
    public int skipBytes(int n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        in.skip(n);
        return n;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.get8() != 0;
    }

    @Override
    public byte readByte() throws IOException {
        return (byte) in.get8();
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return in.get8();
    }

    @Override
    public short readShort() throws IOException {
        return (short) in.get16();
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return in.get16();
    }

    @Override
    public char readChar() throws IOException {
        return (char) in.get16();
    }

    @Override
    public int readInt() throws IOException {
        return (int) in.get32();
    }

    @Override
    public long readLong() throws IOException {
        return in.get64();
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    /** Bytes up to a line end ({@code \n}, {@code \r} or {@code \r\n}) as Latin-1; null at the end of the stream. */
    @Override
    public String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c;
            try {
                c = in.get8();
            } catch (EOFException e) {
                return line.isEmpty() ? null : line.toString();
            }
            if (c == '\n') {
                return line.toString();
            }
            if (c == '\r') {
                if (in.tryPeek8(0) == '\n') {
                    in.get8();
                }
                return line.toString();
            }
            line.append((char) c);
        }
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
