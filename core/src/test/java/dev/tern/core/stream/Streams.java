package dev.tern.core.stream;

import java.io.IOException;
import java.util.function.Consumer;

/** Test helpers: write with a {@link StreamWriter} into bytes, read bytes with a {@link StreamReader}. */
public final class Streams {
    private Streams() {
    }

    /**
     * @param body what to write
     * @return the bytes written and flushed
     */
    public static byte[] bytes(Consumer<StreamWriter> body) {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        body.accept(w);
        w.flush();
        return ch.written();
    }

    /**
     * @param data the stream
     * @return a reader over it
     */
    public static StreamReader reader(byte[] data) {
        return new StreamReader(MemoryChannel.source(data));
    }

    /**
     * @param data the stream
     * @param chunk the most bytes per channel read
     * @return a reader over it
     */
    public static StreamReader reader(byte[] data, int chunk) {
        return new StreamReader(MemoryChannel.source(data, chunk));
    }

    /**
     * @param hex hex digits, spaces ignored
     * @return the bytes
     */
    public static byte[] hex(String hex) {
        String s = hex.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** A test body that reads. */
    @FunctionalInterface
    public interface ReadBody {
        /**
         * @param in the reader
         * @throws IOException on failure
         */
        void read(StreamReader in) throws IOException;
    }
}
