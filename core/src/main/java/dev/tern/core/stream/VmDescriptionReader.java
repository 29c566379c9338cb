package dev.tern.core.stream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the VMDESCRIPTION block after EOF (spec §8.1, end of QEMU's {@code qemu_loadvm_state}).
 * A destination reads and discards it, so that the source is not cut off mid-write; anything
 * unexpected there only produces a message, never a failure.
 */
public final class VmDescriptionReader {
    /** Largest description {@link #read} returns. */
    public static final int MAX_READ = 16 << 20;

    private VmDescriptionReader() {
    }

    /**
     * Reads and discards the description in 4 KiB steps, as QEMU does.
     *
     * @param in the stream, right after EOF
     * @return a warning ("Expected vmdescription section, but got %d") when something else was
     *     there; a stream that ends reads as type 0, as QEMU's {@code qemu_get_byte} returns 0
     * @throws IOException on channel failure (not on the end of the stream)
     */
    public static Optional<String> discard(StreamReader in) throws IOException {
        int type;
        try {
            type = in.get8();
        } catch (EOFException e) {
            type = 0;
        }
        if (type != StreamHeaderDescriptor.VMDESCRIPTION) {
            return Optional.of(expected(type));
        }
        try {
            in.skip(in.get32());
        } catch (EOFException e) {
            // QEMU ignores a short description: the device state is complete already.
        }
        return Optional.empty();
    }

    /**
     * Reads the description's text, for diagnostics and tests.
     *
     * @param in the stream, right after EOF
     * @return the JSON text
     * @throws StreamFormatException if the next record is not a VMDESCRIPTION, or is longer than
     *     {@link #MAX_READ}
     * @throws IOException on end of stream or channel failure
     */
    public static String read(StreamReader in) throws IOException {
        int type = in.get8();
        if (type != StreamHeaderDescriptor.VMDESCRIPTION) {
            throw new StreamFormatException(expected(type));
        }
        long length = in.get32();
        if (length > MAX_READ) {
            throw new StreamFormatException("VMDESCRIPTION of " + length + " bytes exceeds " + MAX_READ);
        }
        byte[] json = new byte[(int) length];
        in.getBytes(json);
        return new String(json, StandardCharsets.UTF_8);
    }

    private static String expected(int type) {
        return "Expected vmdescription section, but got " + type;
    }
}
