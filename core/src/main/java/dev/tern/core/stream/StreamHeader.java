package dev.tern.core.stream;

import java.io.IOException;

/**
 * Writes and checks the file header (spec §8.1; QEMU {@code qemu_savevm_state_header},
 * {@code qemu_loadvm_state}); layout in {@link StreamHeaderDescriptor}.
 */
public final class StreamHeader {
    private StreamHeader() {
    }

    /**
     * Writes magic and version.
     *
     * @param out the stream
     */
    public static void write(StreamWriter out) {
        out.put32(StreamHeaderDescriptor.MAGIC);
        out.put32(StreamHeaderDescriptor.VERSION);
    }

    /**
     * Reads and checks magic and version.
     *
     * @param in the stream
     * @throws StreamFormatException "Not a migration stream",
     *     "SaveVM v2 format is obsolete and don't work anymore" or "Unsupported migration stream version"
     * @throws IOException on end of stream or channel failure
     */
    public static void read(StreamReader in) throws IOException {
        if (in.get32() != StreamHeaderDescriptor.MAGIC) {
            throw StreamFormatException.notAMigrationStream();
        }
        long version = in.get32();
        if (version == StreamHeaderDescriptor.VERSION_COMPAT) {
            throw StreamFormatException.obsoleteVersion2();
        }
        if (version != StreamHeaderDescriptor.VERSION) {
            throw StreamFormatException.unsupportedVersion();
        }
    }
}
