package dev.tern.core.multifd;

import dev.tern.core.stream.StreamFormatException;
import java.util.UUID;

/**
 * The multifd failures, each with QEMU 7.2's text verbatim ({@code migration/multifd.c}),
 * C's {@code %x}, {@code %u} and {@code %hhd} printing reproduced; the few that QEMU does not
 * have say so.
 */
public final class MultifdErrors {
    private MultifdErrors() {
    }

    // ---- initial packet (multifd_recv_initial_packet) ----

    /**
     * "multifd: received packet magic %x expected %x" (initial packet).
     *
     * @param magic the magic received
     * @return the exception
     */
    public static StreamFormatException initialMagic(int magic) {
        return new StreamFormatException(String.format("multifd: received packet magic %x expected %x", magic,
                MultifdPacketDescriptor.MAGIC));
    }

    /**
     * "multifd: received packet version %u expected %u" (initial packet).
     *
     * @param version the version received
     * @return the exception
     */
    public static StreamFormatException initialVersion(int version) {
        return new StreamFormatException(String.format("multifd: received packet version %d expected %d",
                Integer.toUnsignedLong(version), MultifdPacketDescriptor.VERSION));
    }

    /**
     * "multifd: received uuid '%s' and expected uuid '%s' for channel %hhd".
     *
     * @param received the UUID in the packet
     * @param expected the destination's UUID (all zero without one)
     * @param channelId the id byte of the packet, printed signed as {@code %hhd} does
     * @return the exception
     */
    public static StreamFormatException uuidMismatch(UUID received, UUID expected, int channelId) {
        return new StreamFormatException(String.format("multifd: received uuid '%s' and expected uuid '%s' for channel %d",
                received, expected, (byte) channelId));
    }

    /**
     * QEMU's text for a channel id beyond {@code multifd-channels}, which talks about versions:
     * "multifd: received channel version %u expected %u". QEMU only catches id &gt; channels
     * (an id equal to it indexes past its array); Tern refuses both.
     *
     * @param version the version of the packet (always 1 by then)
     * @return the exception
     */
    public static StreamFormatException channelIdOutOfRange(int version) {
        return new StreamFormatException(String.format("multifd: received channel version %d expected %d",
                Integer.toUnsignedLong(version), MultifdPacketDescriptor.VERSION));
    }

    /**
     * "multifd: received id '%d' already setup'" (the stray quote is QEMU's).
     *
     * @param channelId the duplicate id
     * @return the exception
     */
    public static StreamFormatException channelAlreadySetUp(int channelId) {
        return new StreamFormatException(String.format("multifd: received id '%d' already setup'", channelId));
    }

    // ---- packet header (multifd_recv_unfill_packet) ----

    /**
     * "multifd: received packet magic %x and expected magic %x" (packet header).
     *
     * @param magic the magic received
     * @return the exception
     */
    public static StreamFormatException packetMagic(int magic) {
        return new StreamFormatException(String.format("multifd: received packet magic %x and expected magic %x",
                magic, MultifdPacketDescriptor.MAGIC));
    }

    /**
     * "multifd: received packet version %u and expected version %u" (packet header).
     *
     * @param version the version received
     * @return the exception
     */
    public static StreamFormatException packetVersion(int version) {
        return new StreamFormatException(String.format(
                "multifd: received packet version %d and expected version %d", Integer.toUnsignedLong(version),
                MultifdPacketDescriptor.VERSION));
    }

    /**
     * "multifd: received packet with size %u and expected a size of %u": pages_alloc above the
     * local 512 KiB / page size.
     *
     * @param pagesAlloc the pages_alloc received
     * @param local the local pages_alloc
     * @return the exception
     */
    public static StreamFormatException packetSize(int pagesAlloc, int local) {
        return new StreamFormatException(String.format(
                "multifd: received packet with size %d and expected a size of %d", Integer.toUnsignedLong(pagesAlloc),
                Integer.toUnsignedLong(local)));
    }

    /**
     * "multifd: received packet with %u pages and expected maximum pages are %u".
     *
     * @param normalPages the normal_pages received
     * @param pagesAlloc the packet's pages_alloc
     * @return the exception
     */
    public static StreamFormatException tooManyPages(int normalPages, int pagesAlloc) {
        return new StreamFormatException(String.format(
                "multifd: received packet with %d pages and expected maximum pages are %d",
                Integer.toUnsignedLong(normalPages), Integer.toUnsignedLong(pagesAlloc)));
    }

    /**
     * "multifd: unknown ram block %s".
     *
     * @param idstr the name received (up to its first NUL)
     * @return the exception
     */
    public static StreamFormatException unknownBlock(String idstr) {
        return new StreamFormatException("multifd: unknown ram block " + idstr);
    }

    /**
     * "multifd: offset too long %" PRIu64 " (max " RAM_ADDR_FMT ")": the offset in decimal, the
     * block's used length in hex without a prefix.
     *
     * @param offset the offset received
     * @param usedLength the block's used length
     * @return the exception
     */
    public static StreamFormatException offsetTooLong(long offset, long usedLength) {
        return new StreamFormatException("multifd: offset too long " + Long.toUnsignedString(offset) + " (max "
                + Long.toHexString(usedLength) + ")");
    }

    /**
     * "multifd %u: flags received %x flags expected %x": the compression bits differ from the
     * local {@code multifd-compression}.
     *
     * @param channelId the channel
     * @param received the compression bits received
     * @param expected the local method's bits
     * @return the exception
     */
    public static StreamFormatException flagsMismatch(int channelId, int received, int expected) {
        return new StreamFormatException(String.format("multifd %d: flags received %x flags expected %x", channelId,
                received, expected));
    }

    /**
     * Tern's own: a compressed payload larger than the channel's receive buffer (QEMU reads it
     * into its 1 MiB buffer unchecked).
     *
     * @param channelId the channel
     * @param size the next_packet_size received
     * @param max the buffer size
     * @return the exception
     */
    public static StreamFormatException payloadTooLarge(int channelId, int size, int max) {
        return new StreamFormatException(String.format("multifd %d: packet payload of %d bytes exceeds %d bytes",
                channelId, Integer.toUnsignedLong(size), max));
    }

    /**
     * Tern's own: a multifd channel ended or failed.
     *
     * @param channelId the channel
     * @param cause what went wrong
     * @return the exception
     */
    public static StreamFormatException channelFailed(int channelId, String cause) {
        return new StreamFormatException(String.format("multifd %d: %s", channelId, cause));
    }
}
