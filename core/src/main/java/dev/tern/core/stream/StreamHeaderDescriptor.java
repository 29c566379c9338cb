package dev.tern.core.stream;

/**
 * The top-level layout of a QEMU 7.2 migration stream (spec §8.1, QEMU {@code migration/savevm.c}):
 * the file header and the one-byte record types that follow it.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               magic 0x5145564D ("QEVM"), be32                 |  offset 0
 *  +---------------------------------------------------------------+
 *  |               stream version 0x00000003, be32                 |  offset 4
 *  +---------------+-----------------------------------------------+
 *  | 0x07 CONFIG   |  configuration vmstate (ConfigurationDescriptor)  offset 8
 *  +---------------+--------------------------------------
 *  | type          |  record body ...      repeated until type 0x00 (EOF)
 *  +---------------+--------------------------------------
 *  | 0x06 VMDESC   |  be32 json_len | json_len bytes of JSON
 *  +---------------+--------------------------------------
 * </pre>
 *
 * Record bodies: {@link SectionDescriptor} (START, PART, END, FULL), {@link CommandDescriptor}
 * (COMMAND), {@link VmStateDescriptor} (SUBSECTION inside a vmstate).
 */
public final class StreamHeaderDescriptor {
    /** {@code QEMU_VM_FILE_MAGIC}: "QEVM". */
    public static final int MAGIC = 0x5145564D;
    /** {@code QEMU_VM_FILE_VERSION}: the only version QEMU 7.2 reads and writes. */
    public static final int VERSION = 3;
    /** {@code QEMU_VM_FILE_VERSION_COMPAT}: the obsolete v2 format, refused with its own message. */
    public static final int VERSION_COMPAT = 2;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 4;
    /** Bytes of magic and version. */
    public static final int HEADER_LENGTH = 8;

    /** {@code QEMU_VM_EOF}: end of the device state. */
    public static final int EOF = 0x00;
    /** {@code QEMU_VM_SECTION_START}: first record of an iterative (live) section. */
    public static final int SECTION_START = 0x01;
    /** {@code QEMU_VM_SECTION_PART}: one iteration of a live section. */
    public static final int SECTION_PART = 0x02;
    /** {@code QEMU_VM_SECTION_END}: the completion data of a live section. */
    public static final int SECTION_END = 0x03;
    /** {@code QEMU_VM_SECTION_FULL}: a device's whole state, sent once. */
    public static final int SECTION_FULL = 0x04;
    /** {@code QEMU_VM_SUBSECTION}: an optional part of a vmstate. */
    public static final int SUBSECTION = 0x05;
    /** {@code QEMU_VM_VMDESCRIPTION}: the JSON description after EOF. */
    public static final int VMDESCRIPTION = 0x06;
    /** {@code QEMU_VM_CONFIGURATION}: the configuration vmstate after the header. */
    public static final int CONFIGURATION = 0x07;
    /** {@code QEMU_VM_COMMAND}: a command to the destination's loader. */
    public static final int COMMAND = 0x08;
    /** {@code QEMU_VM_SECTION_FOOTER}: the marker byte of a section footer. */
    public static final int SECTION_FOOTER = 0x7E;

    /** VMDESCRIPTION: bytes of the type byte and the be32 JSON length. */
    public static final int VMDESCRIPTION_HEADER_LENGTH = 1 + 4;

    private StreamHeaderDescriptor() {
    }
}
