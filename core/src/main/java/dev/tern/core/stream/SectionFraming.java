package dev.tern.core.stream;

import java.io.IOException;

/**
 * Writes and reads section headers and footers (spec §8.1; QEMU {@code save_section_header},
 * {@code save_section_footer}, {@code qemu_loadvm_section_start_full},
 * {@code qemu_loadvm_section_part_end}, {@code check_section_footer}). Layout in
 * {@link SectionDescriptor}. Footers are always on, as with QEMU's default
 * {@code send-section-footer}.
 */
public final class SectionFraming {
    private SectionFraming() {
    }

    /**
     * Writes a START header (a live section's setup).
     *
     * @param out the stream
     * @param sectionId the sender's section id
     * @param idstr the section name
     * @param instanceId the instance id
     * @param versionId the version
     */
    public static void writeStart(StreamWriter out, int sectionId, String idstr, int instanceId, int versionId) {
        writeNamed(out, StreamHeaderDescriptor.SECTION_START, sectionId, idstr, instanceId, versionId);
    }

    /**
     * Writes a FULL header (a device's whole state).
     *
     * @param out the stream
     * @param sectionId the sender's section id
     * @param idstr the section name
     * @param instanceId the instance id
     * @param versionId the version
     */
    public static void writeFull(StreamWriter out, int sectionId, String idstr, int instanceId, int versionId) {
        writeNamed(out, StreamHeaderDescriptor.SECTION_FULL, sectionId, idstr, instanceId, versionId);
    }

    /**
     * Writes a PART header (one iteration of a live section).
     *
     * @param out the stream
     * @param sectionId the id its START carried
     */
    public static void writePart(StreamWriter out, int sectionId) {
        out.put8(StreamHeaderDescriptor.SECTION_PART);
        out.put32(sectionId);
    }

    /**
     * Writes an END header (a live section's completion).
     *
     * @param out the stream
     * @param sectionId the id its START carried
     */
    public static void writeEnd(StreamWriter out, int sectionId) {
        out.put8(StreamHeaderDescriptor.SECTION_END);
        out.put32(sectionId);
    }

    /**
     * Writes a footer.
     *
     * @param out the stream
     * @param sectionId the id of the section it closes
     */
    public static void writeFooter(StreamWriter out, int sectionId) {
        out.put8(StreamHeaderDescriptor.SECTION_FOOTER);
        out.put32(sectionId);
    }

    /**
     * Reads the rest of a section header whose type byte the caller has read.
     *
     * @param in the stream, positioned after the type byte
     * @param type the type byte, one of START, PART, END, FULL
     * @return the header
     * @throws StreamFormatException if a START/FULL idstr is empty ("Unable to read ID string for section %u")
     * @throws IOException on end of stream or channel failure
     */
    public static SectionHeader readHeader(StreamReader in, int type) throws IOException {
        int sectionId = (int) in.get32();
        if (type == StreamHeaderDescriptor.SECTION_PART || type == StreamHeaderDescriptor.SECTION_END) {
            return new SectionHeader(type, sectionId, "", 0, 0);
        }
        // qemu_get_counted_string returns 0 for an empty name, which QEMU treats as unreadable.
        int length = in.peek8();
        if (length == 0) {
            throw StreamFormatException.unreadableIdString(sectionId);
        }
        String idstr = in.getCountedString();
        int instanceId = (int) in.get32();
        int versionId = (int) in.get32();
        return new SectionHeader(type, sectionId, idstr, instanceId, versionId);
    }

    /**
     * Reads and checks the footer of a section.
     *
     * @param in the stream
     * @param idstr the section's name, for the message
     * @param sectionId the id of its header
     * @throws StreamFormatException "Missing section footer for %s" or
     *     "Mismatched section id in footer for %s - read 0x%x expected 0x%x"
     * @throws IOException on end of stream or channel failure
     */
    public static void checkFooter(StreamReader in, String idstr, int sectionId) throws IOException {
        if (in.get8() != StreamHeaderDescriptor.SECTION_FOOTER) {
            throw StreamFormatException.missingFooter(idstr);
        }
        int read = (int) in.get32();
        if (read != sectionId) {
            throw StreamFormatException.mismatchedFooter(idstr, read, sectionId);
        }
    }

    private static void writeNamed(StreamWriter out, int type, int sectionId, String idstr, int instanceId,
            int versionId) {
        if (idstr.isEmpty()) {
            throw new IllegalArgumentException("a section needs a non-empty idstr");
        }
        out.put8(type);
        out.put32(sectionId);
        out.putCountedString(idstr);
        out.put32(instanceId);
        out.put32(versionId);
    }
}
