package dev.tern.core.stream;

import java.io.IOException;
import java.util.UUID;

/**
 * A migration stream that cannot be loaded: malformed, truncated in a way the format notices, or
 * describing a VM that does not match the local one. Every factory builds one of QEMU 7.2's
 * texts verbatim ({@code migration/savevm.c}, {@code migration/ram.c}, {@code migration/vmstate.c},
 * {@code migration/migration.c}), typos and missing spaces included, with C's unsigned and
 * signed printing reproduced; the few texts QEMU does not have are marked as Tern's own.
 */
public final class StreamFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that belongs to another layer; prefer a factory.
     *
     * @param message the message
     */
    public StreamFormatException(String message) {
        super(message);
    }

    /**
     * An exception with a message and its cause; prefer a factory.
     *
     * @param message the message
     * @param cause the underlying failure
     */
    public StreamFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    // ---- header and records (savevm.c) ----

    /**
     * Builds "Not a migration stream" (bad magic).
     *
     * @return the exception
     */
    public static StreamFormatException notAMigrationStream() {
        return new StreamFormatException("Not a migration stream");
    }

    /**
     * Builds "Unsupported migration stream version".
     *
     * @return the exception
     */
    public static StreamFormatException unsupportedVersion() {
        return new StreamFormatException("Unsupported migration stream version");
    }

    /**
     * Builds the text for a version 2 stream.
     *
     * @return the exception
     */
    public static StreamFormatException obsoleteVersion2() {
        return new StreamFormatException("SaveVM v2 format is obsolete and don't work anymore");
    }

    /**
     * Builds "Configuration section missing".
     *
     * @return the exception
     */
    public static StreamFormatException configurationMissing() {
        return new StreamFormatException("Configuration section missing");
    }

    /**
     * Builds "Unknown savevm section type %d".
     *
     * @param type the record type byte read
     * @return the exception
     */
    public static StreamFormatException unknownSectionType(int type) {
        return new StreamFormatException("Unknown savevm section type " + type);
    }

    /**
     * Builds the text for a START/FULL section no local handler matches.
     *
     * @param idstr the received idstr
     * @param instanceId the received instance id (printed unsigned)
     * @return the exception
     */
    public static StreamFormatException unknownSectionOrInstance(String idstr, int instanceId) {
        return new StreamFormatException("Unknown savevm section or instance '" + idstr + "' "
                + Integer.toUnsignedString(instanceId)
                + ". Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices");
    }

    /**
     * Builds "Unknown savevm section %d".
     *
     * @param sectionId the received PART/END section id (printed signed, as QEMU's %d does)
     * @return the exception
     */
    public static StreamFormatException unknownSection(int sectionId) {
        return new StreamFormatException("Unknown savevm section " + sectionId);
    }

    /**
     * Builds "savevm: unsupported version %d for '%s' v%d".
     *
     * @param versionId the received version (printed signed)
     * @param idstr the section
     * @param localVersion the local version
     * @return the exception
     */
    public static StreamFormatException unsupportedSectionVersion(int versionId, String idstr, int localVersion) {
        return new StreamFormatException("savevm: unsupported version " + versionId + " for '" + idstr + "' v"
                + localVersion);
    }

    /**
     * Builds "Unable to read ID string for section %u".
     *
     * @param sectionId the section whose idstr could not be read (printed unsigned)
     * @return the exception
     */
    public static StreamFormatException unreadableIdString(int sectionId) {
        return new StreamFormatException("Unable to read ID string for section " + Integer.toUnsignedString(sectionId));
    }

    /**
     * Builds "Missing section footer for %s".
     *
     * @param idstr the section
     * @return the exception
     */
    public static StreamFormatException missingFooter(String idstr) {
        return new StreamFormatException("Missing section footer for " + idstr);
    }

    /**
     * Builds "Mismatched section id in footer for %s - read 0x%x expected 0x%x".
     *
     * @param idstr the section
     * @param read the id in the footer
     * @param expected the id of the header
     * @return the exception
     */
    public static StreamFormatException mismatchedFooter(String idstr, int read, int expected) {
        return new StreamFormatException("Mismatched section id in footer for " + idstr + " - read 0x"
                + Integer.toHexString(read) + " expected 0x" + Integer.toHexString(expected));
    }

    /**
     * Builds "error while loading state for instance 0x%x of device '%s'", chained to the cause.
     *
     * @param instanceId the instance
     * @param idstr the device
     * @param cause the handler's failure
     * @return the exception
     */
    public static StreamFormatException loadStateFailed(int instanceId, String idstr, Throwable cause) {
        return new StreamFormatException("error while loading state for instance 0x" + Integer.toHexString(instanceId)
                + " of device '" + idstr + "'", cause);
    }

    /**
     * Builds "error while loading state section id %d(%s)", chained to the cause.
     *
     * @param sectionId the section (printed signed)
     * @param idstr the section's idstr
     * @param cause the handler's failure
     * @return the exception
     */
    public static StreamFormatException loadSectionFailed(int sectionId, String idstr, Throwable cause) {
        return new StreamFormatException("error while loading state section id " + sectionId + "(" + idstr + ")",
                cause);
    }

    // ---- vmstate (vmstate.c) ----

    /**
     * Builds "%s: incoming version_id %d is too new for local version_id %d".
     *
     * @param vmsdName the vmstate
     * @param versionId the received version
     * @param localVersion the local version
     * @return the exception
     */
    public static StreamFormatException vmStateTooNew(String vmsdName, int versionId, int localVersion) {
        return new StreamFormatException(vmsdName + ": incoming version_id " + versionId
                + " is too new for local version_id " + localVersion);
    }

    /**
     * Builds the too-old text, with QEMU's double space before the minimum.
     *
     * @param vmsdName the vmstate
     * @param versionId the received version
     * @param minimumVersion the local minimum
     * @return the exception
     */
    public static StreamFormatException vmStateTooOld(String vmsdName, int versionId, int minimumVersion) {
        return new StreamFormatException(vmsdName + ": incoming version_id " + versionId
                + " is too old for local minimum version_id  " + minimumVersion);
    }

    /**
     * Tern's text: QEMU fails an unknown subsection under the right prefix with ENOENT and only a
     * trace point.
     *
     * @param name the subsection name
     * @param parent the vmstate it belongs to
     * @return the exception
     */
    public static StreamFormatException unknownSubsection(String name, String parent) {
        return new StreamFormatException("Unknown subsection '" + name + "' in vmstate '" + parent + "'");
    }

    // ---- configuration (savevm.c) ----

    /**
     * Builds "Machine type received is '%.*s' and local is '%s'".
     *
     * @param received the received machine type (up to its length or first NUL)
     * @param local the local machine type
     * @return the exception
     */
    public static StreamFormatException machineTypeMismatch(String received, String local) {
        return new StreamFormatException("Machine type received is '" + received + "' and local is '" + local + "'");
    }

    /**
     * Builds "Received TARGET_PAGE_BITS is %d but local is %d".
     *
     * @param received the received page bits
     * @param local the local page bits
     * @return the exception
     */
    public static StreamFormatException targetPageBitsMismatch(int received, int local) {
        return new StreamFormatException("Received TARGET_PAGE_BITS is " + received + " but local is " + local);
    }

    /**
     * Builds "Capability %s is %s, but received capability is %s".
     *
     * @param capability the capability's QAPI name
     * @param local whether it is on locally
     * @param received whether the source has it on
     * @return the text
     */
    public static String capabilityMismatchText(String capability, boolean local, boolean received) {
        return "Capability " + capability + " is " + (local ? "on" : "off") + ", but received capability is "
                + (received ? "on" : "off");
    }

    /**
     * Builds the exception, its message the lines joined by newlines.
     *
     * @param lines one {@link #capabilityMismatchText} per mismatching capability (QEMU reports all)
     * @return the exception
     */
    public static StreamFormatException capabilityMismatch(java.util.List<String> lines) {
        return new StreamFormatException(String.join("\n", lines));
    }

    /**
     * Builds "Received unknown capability %s".
     *
     * @param name the received name
     * @return the exception
     */
    public static StreamFormatException unknownCapability(String name) {
        return new StreamFormatException("Received unknown capability " + name);
    }

    /**
     * Builds "UUID received is %s and local is %s".
     *
     * @param received the source's UUID
     * @param local the local UUID
     * @return the exception
     */
    public static StreamFormatException uuidMismatch(UUID received, UUID local) {
        return new StreamFormatException("UUID received is " + received + " and local is " + local);
    }

    /**
     * The warning QEMU prints when the source sent a UUID and the destination has none.
     *
     * @param received the source's UUID
     * @return "UUID is received %s, but local uuid isn't set"
     */
    public static String uuidNotSetWarning(UUID received) {
        return "UUID is received " + received + ", but local uuid isn't set";
    }

    // ---- RAM (ram.c, physmem.c) ----

    /**
     * Builds "Ack, bad migration stream!" (CONTINUE without a previous block).
     *
     * @return the exception
     */
    public static StreamFormatException continueWithoutBlock() {
        return new StreamFormatException("Ack, bad migration stream!");
    }

    /**
     * Builds "Can't find block %s".
     *
     * @param name the block name
     * @return the exception
     */
    public static StreamFormatException cantFindBlock(String name) {
        return new StreamFormatException("Can't find block " + name);
    }

    /**
     * Builds "block %s should not be migrated !".
     *
     * @param name the block name
     * @return the exception
     */
    public static StreamFormatException blockNotMigrated(String name) {
        return new StreamFormatException("block " + name + " should not be migrated !");
    }

    /**
     * Builds "Illegal RAM offset %lx".
     *
     * @param offset the offset (RAM_ADDR_FMT: lowercase hex, no prefix)
     * @return the exception
     */
    public static StreamFormatException illegalRamOffset(long offset) {
        return new StreamFormatException("Illegal RAM offset " + Long.toHexString(offset));
    }

    /**
     * Builds "Unknown combination of migration flags: 0x%x".
     *
     * @param flags the flag bits of the word
     * @return the exception
     */
    public static StreamFormatException unknownFlags(int flags) {
        return new StreamFormatException("Unknown combination of migration flags: 0x" + Integer.toHexString(flags));
    }

    /**
     * Builds "Received an unexpected compressed page".
     *
     * @return the exception
     */
    public static StreamFormatException unexpectedCompressedPage() {
        return new StreamFormatException("Received an unexpected compressed page");
    }

    /**
     * Builds "Unknown ramblock \"%s\", cannot accept migration".
     *
     * @param name the block name
     * @return the exception
     */
    public static StreamFormatException unknownRamBlock(String name) {
        return new StreamFormatException("Unknown ramblock \"" + name + "\", cannot accept migration");
    }

    /**
     * {@code qemu_ram_resize} on a block that is not resizable.
     *
     * @param name the block
     * @param newSize the host-page-aligned received length
     * @param usedLength the local used length
     * @return "Size mismatch: %s: 0x%lx != 0x%lx: Invalid argument"
     */
    public static StreamFormatException sizeMismatch(String name, long newSize, long usedLength) {
        return new StreamFormatException("Size mismatch: " + name + ": 0x" + Long.toHexString(newSize) + " != 0x"
                + Long.toHexString(usedLength) + ": Invalid argument");
    }

    /**
     * {@code qemu_ram_resize} beyond the block's maximum.
     *
     * @param name the block
     * @param newSize the host-page-aligned received length
     * @param maxLength the block's maximum length
     * @return "Length too large: %s: 0x%lx &gt; 0x%lx: Invalid argument"
     */
    public static StreamFormatException lengthTooLarge(String name, long newSize, long maxLength) {
        return new StreamFormatException("Length too large: " + name + ": 0x" + Long.toHexString(newSize) + " > 0x"
                + Long.toHexString(maxLength) + ": Invalid argument");
    }

    /**
     * Builds "Mismatched RAM page size %s (local) %zd != %ld".
     *
     * @param name the block
     * @param local the local page size
     * @param remote the received page size
     * @return the exception
     */
    public static StreamFormatException pageSizeMismatch(String name, long local, long remote) {
        return new StreamFormatException("Mismatched RAM page size " + name + " (local) " + local + " != " + remote);
    }

    /**
     * Builds "Mismatched GPAs for block %s %ld!= %ld" (no space before "!=", as QEMU).
     *
     * @param name the block
     * @param received the received address
     * @param local the local address
     * @return the exception
     */
    public static StreamFormatException gpaMismatch(String name, long received, long local) {
        return new StreamFormatException("Mismatched GPAs for block " + name + " " + received + "!= " + local);
    }

    /**
     * Builds "Failed to load XBZRLE page - wrong compression!".
     *
     * @return the exception
     */
    public static StreamFormatException xbzrleWrongEncoding() {
        return new StreamFormatException("Failed to load XBZRLE page - wrong compression!");
    }

    /**
     * Builds "Failed to load XBZRLE page - len overflow!".
     *
     * @return the exception
     */
    public static StreamFormatException xbzrleLengthOverflow() {
        return new StreamFormatException("Failed to load XBZRLE page - len overflow!");
    }

    /**
     * Builds "Failed to load XBZRLE page - decode error!".
     *
     * @return the exception
     */
    public static StreamFormatException xbzrleDecodeError() {
        return new StreamFormatException("Failed to load XBZRLE page - decode error!");
    }

    /**
     * Builds "Failed to decompress XBZRLE page at %lx", chained to the cause.
     *
     * @param offset the page's offset in its block
     * @param cause the decoder's failure
     * @return the exception
     */
    public static StreamFormatException xbzrlePageFailed(long offset, Throwable cause) {
        return new StreamFormatException("Failed to decompress XBZRLE page at " + Long.toHexString(offset), cause);
    }

    /**
     * Tern's text: a destination built without a decoder for the page encoding the source used.
     *
     * @param encoding "XBZRLE" or "compressed"
     * @param offset the page's offset in its block
     * @return the exception
     */
    public static StreamFormatException noPageDecoder(String encoding, long offset) {
        return new StreamFormatException("Received an " + encoding + " page at " + Long.toHexString(offset)
                + " but no decoder for it is configured");
    }

    /**
     * Builds "Invalid compressed data length: %d".
     *
     * @param length the received length
     * @return the exception
     */
    public static StreamFormatException invalidCompressedLength(int length) {
        return new StreamFormatException("Invalid compressed data length: " + length);
    }

    /**
     * Tern's text: QEMU fails an RDMA hook record on a non-RDMA stream with EINVAL and no message.
     *
     * @return the exception
     */
    public static StreamFormatException hookWithoutRdma() {
        return new StreamFormatException("Received an RDMA hook record on a stream that is not RDMA");
    }

    // ---- commands (savevm.c) ----

    /**
     * Builds "MIG_CMD 0x%x unknown (len 0x%x)".
     *
     * @param cmd the command number
     * @param length its payload length
     * @return the exception
     */
    public static StreamFormatException unknownCommand(int cmd, int length) {
        return new StreamFormatException("MIG_CMD 0x" + Integer.toHexString(cmd) + " unknown (len 0x"
                + Integer.toHexString(length) + ")");
    }

    /**
     * Builds "%s received with bad length - expecting %zu, got %d".
     *
     * @param name the command's name
     * @param expected its fixed length
     * @param length the received length
     * @return the exception
     */
    public static StreamFormatException commandBadLength(String name, int expected, int length) {
        return new StreamFormatException(name + " received with bad length - expecting " + expected + ", got "
                + length);
    }

    /**
     * Builds "CMD_PING (0x%x) received with no return path".
     *
     * @param value the ping value
     * @return the exception
     */
    public static StreamFormatException pingWithoutReturnPath(int value) {
        return new StreamFormatException("CMD_PING (0x" + Integer.toHexString(value) + ") received with no return path");
    }

    /**
     * Builds the text for an empty advise with RAM postcopy on.
     *
     * @return the exception
     */
    public static StreamFormatException adviseEmptyWithPostcopy() {
        return new StreamFormatException("RAM postcopy is enabled but have 0 byte advise");
    }

    /**
     * Builds the text for a 16-byte advise with RAM postcopy off.
     *
     * @return the exception
     */
    public static StreamFormatException adviseWithoutPostcopy() {
        return new StreamFormatException("RAM postcopy is disabled but have 16 byte advise");
    }

    /**
     * Builds "CMD_POSTCOPY_ADVISE invalid length (%d)".
     *
     * @param length the received length
     * @return the exception
     */
    public static StreamFormatException adviseInvalidLength(int length) {
        return new StreamFormatException("CMD_POSTCOPY_ADVISE invalid length (" + length + ")");
    }

    /**
     * Builds "Postcopy needs matching RAM page sizes (s=%lx d=%lx)".
     *
     * @param remote the source's page-size summary
     * @param local the local summary
     * @return the exception
     */
    public static StreamFormatException advisePageSizesMismatch(long remote, long local) {
        return new StreamFormatException("Postcopy needs matching RAM page sizes (s=" + Long.toHexString(remote)
                + " d=" + Long.toHexString(local) + ")");
    }

    /**
     * Builds "Postcopy needs matching target page sizes (s=%d d=%zd)".
     *
     * @param remote the source's target page size
     * @param local the local target page size
     * @return the exception
     */
    public static StreamFormatException adviseTargetPageSizeMismatch(long remote, long local) {
        return new StreamFormatException("Postcopy needs matching target page sizes (s=" + (int) remote + " d="
                + local + ")");
    }

    /**
     * Builds "CMD_POSTCOPY_RAM_DISCARD invalid length (%d)".
     *
     * @param length the received or remaining length
     * @return the exception
     */
    public static StreamFormatException discardInvalidLength(int length) {
        return new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD invalid length (" + length + ")");
    }

    /**
     * Builds "CMD_POSTCOPY_RAM_DISCARD invalid version (%d)".
     *
     * @param version the received version byte
     * @return the exception
     */
    public static StreamFormatException discardInvalidVersion(int version) {
        return new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD invalid version (" + version + ")");
    }

    /**
     * Builds "CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID".
     *
     * @return the exception
     */
    public static StreamFormatException discardNoBlockId() {
        return new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID");
    }

    /**
     * Builds "CMD_POSTCOPY_RAM_DISCARD missing nil (%d)".
     *
     * @param value the byte found instead of the nil
     * @return the exception
     */
    public static StreamFormatException discardMissingNil(int value) {
        return new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD missing nil (" + value + ")");
    }

    /**
     * Builds "loadvm_handle_recv_bitmap: failed to read block name".
     *
     * @return the exception
     */
    public static StreamFormatException recvBitmapNoName() {
        return new StreamFormatException("loadvm_handle_recv_bitmap: failed to read block name");
    }

    /**
     * Builds "loadvm_handle_recv_bitmap: invalid payload length (%d)".
     *
     * @param length the command's length
     * @return the exception
     */
    public static StreamFormatException recvBitmapBadLength(int length) {
        return new StreamFormatException("loadvm_handle_recv_bitmap: invalid payload length (" + length + ")");
    }

    // ---- return path (migration.c) ----

    /**
     * Builds "RP: Received invalid message 0x%04x length 0x%04x".
     *
     * @param type the message type
     * @param length the message length
     * @return the exception
     */
    public static StreamFormatException returnPathInvalidMessage(int type, int length) {
        return new StreamFormatException(String.format("RP: Received invalid message 0x%04x length 0x%04x", type,
                length));
    }

    /**
     * The length error; QEMU's two string literals join without a space ("withincorrect"), and a
     * variable-length type prints its expected length -1 as a size_t.
     *
     * @param name the message name
     * @param type the message type
     * @param length the received length
     * @param expected the fixed length, or -1 for variable-length types
     * @return the exception
     */
    public static StreamFormatException returnPathBadLength(String name, int type, int length, int expected) {
        return new StreamFormatException(String.format("RP: Received '%s' message (0x%04x) withincorrect length %d"
                + " expecting %s", name, type, length, Long.toUnsignedString(expected)));
    }

    /**
     * Builds "RP: Failed reading data for message 0x%04x read %d expected %d".
     *
     * @param type the message type
     * @param read bytes read before the end
     * @param expected the message length
     * @return the exception
     */
    public static StreamFormatException returnPathShortRead(int type, int read, int expected) {
        return new StreamFormatException(String.format("RP: Failed reading data for message 0x%04x read %d expected %d",
                type, read, expected));
    }

    /**
     * Builds "RP: Req_Page_id with length %d expecting %zd".
     *
     * @param length the received length
     * @param expected 13 + the name length (or 13 when the payload is shorter)
     * @return the exception
     */
    public static StreamFormatException returnPathReqPagesIdLength(int length, int expected) {
        return new StreamFormatException("RP: Req_Page_id with length " + length + " expecting " + expected);
    }

    /**
     * Builds "RP: Sibling indicated error %d".
     *
     * @param status the SHUT status
     * @return the exception
     */
    public static StreamFormatException returnPathSiblingError(int status) {
        return new StreamFormatException("RP: Sibling indicated error " + status);
    }

    /**
     * Builds "source_return_path_thread: missing block name".
     *
     * @return the exception
     */
    public static StreamFormatException returnPathRecvBitmapNoName() {
        return new StreamFormatException("source_return_path_thread: missing block name");
    }

    /**
     * Builds "migrate_handle_rp_resume_ack: illegal resume_ack value %u".
     *
     * @param value the received value (printed unsigned)
     * @return the exception
     */
    public static StreamFormatException returnPathIllegalResumeAck(int value) {
        return new StreamFormatException("migrate_handle_rp_resume_ack: illegal resume_ack value "
                + Integer.toUnsignedString(value));
    }

    // ---- devices (global_state.c, qapi-util.c) ----

    /**
     * Builds "invalid parameter value: %s" ({@code qapi_enum_parse} on globalstate's runstate).
     *
     * @param value the received runstate name
     * @return the exception
     */
    public static StreamFormatException invalidRunState(String value) {
        return new StreamFormatException("invalid parameter value: " + value);
    }
}
