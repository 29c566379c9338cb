package dev.tern.core.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Writes subsection headers and finds the next subsection on load, with QEMU 7.2's peeking rules
 * ({@code vmstate_subsection_save}, {@code vmstate_subsection_load}); layout in
 * {@link VmStateDescriptor}.
 */
public final class VmStateSubsections {
    private VmStateSubsections() {
    }

    /**
     * A subsection header read from the stream.
     *
     * @param name the subsection name, {@code "<parent>/<sub>"}
     * @param versionId the version, already cut to its low byte as QEMU's {@code uint8_t} does
     */
    public record Subsection(String name, int versionId) {
    }

    /**
     * Writes a subsection header; the caller writes its fields next.
     *
     * @param out the stream
     * @param name the subsection name
     * @param versionId its version
     */
    public static void writeHeader(StreamWriter out, String name, int versionId) {
        out.put8(VmStateDescriptor.SUBSECTION);
        out.putCountedString(name);
        out.put32(versionId);
    }

    /**
     * Reads the next subsection header of a vmstate, if one follows. Nothing is consumed when
     * none does: the next byte is not 0x05, the stream ends, the name is shorter than the parent's
     * name plus one, or it does not start with the parent's name.
     *
     * @param in the stream
     * @param parent the vmstate's name
     * @param known the subsection names the loader knows
     * @return the header, or null when no subsection of this vmstate follows
     * @throws StreamFormatException if a subsection under the parent's prefix is unknown
     * @throws IOException on channel failure or end of stream inside the header
     */
    public static Subsection next(StreamReader in, String parent, Set<String> known) throws IOException {
        if (in.tryPeek8(0) != VmStateDescriptor.SUBSECTION) {
            return null;
        }
        int length = in.tryPeek8(VmStateDescriptor.NAME_LENGTH_OFFSET);
        byte[] prefix = parent.getBytes(StandardCharsets.UTF_8);
        if (length < prefix.length + 1) {
            return null;
        }
        byte[] name = new byte[length];
        if (!in.tryPeekBytes(VmStateDescriptor.NAME_OFFSET, name, length)) {
            return null;
        }
        // strncmp(vmsd->name, idstr, strlen(vmsd->name)): a NUL in the parent never occurs.
        for (int i = 0; i < prefix.length; i++) {
            if (name[i] != prefix[i]) {
                return null;
            }
        }
        String text = StreamReader.cString(name, length);
        if (!known.contains(text)) {
            throw StreamFormatException.unknownSubsection(text, parent);
        }
        in.skip(VmStateDescriptor.NAME_OFFSET + length);
        int versionId = (int) (in.get32() & 0xFF);
        return new Subsection(text, versionId);
    }

    /**
     * Checks a received vmstate version ({@code vmstate_load_state}).
     *
     * @param name the vmstate name
     * @param versionId the received version
     * @param localVersion the newest version the loader knows
     * @param minimumVersion the oldest version it accepts
     * @throws StreamFormatException "%s: incoming version_id %d is too new for local version_id %d"
     *     or the too-old text
     */
    public static void checkVersion(String name, int versionId, int localVersion, int minimumVersion)
            throws StreamFormatException {
        if (versionId > localVersion) {
            throw StreamFormatException.vmStateTooNew(name, versionId, localVersion);
        }
        if (versionId < minimumVersion) {
            throw StreamFormatException.vmStateTooOld(name, versionId, minimumVersion);
        }
    }
}
