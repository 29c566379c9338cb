package dev.tern.core.multifd;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * A decoded initial packet ({@code MultiFDInit_t}, layout in {@link MultifdPacketDescriptor}).
 *
 * @param magic the magic field
 * @param version the version field
 * @param uuid the source's UUID (the nil UUID when it has none)
 * @param channelId the channel id, 0 to 255
 */
public record InitialPacket(int magic, int version, UUID uuid, int channelId) {
    /**
     * Decodes the 64 bytes at {@code src}'s position (big-endian), advancing it.
     *
     * @param src the bytes
     * @return the packet
     */
    public static InitialPacket decode(ByteBuffer src) {
        int start = src.position();
        int magic = src.getInt();
        int version = src.getInt();
        UUID uuid = new UUID(src.getLong(), src.getLong());
        int id = src.get() & 0xff;
        src.position(start + MultifdPacketDescriptor.INITIAL_PACKET_LENGTH);
        return new InitialPacket(magic, version, uuid, id);
    }

    /**
     * {@code multifd_recv_initial_packet}'s checks, in QEMU's order: magic, version, UUID, id.
     *
     * @param local the destination's UUID (nil without one)
     * @param channels the destination's {@code multifd-channels}
     * @return the channel id
     * @throws StreamFormatException "multifd: received packet magic %x expected %x",
     *     "multifd: received packet version %u expected %u",
     *     "multifd: received uuid '%s' and expected uuid '%s' for channel %hhd", and for an id of
     *     {@code channels} or more QEMU's "multifd: received channel version %u expected %u"
     */
    public int check(UUID local, int channels) throws StreamFormatException {
        if (magic != MultifdPacketDescriptor.MAGIC) {
            throw MultifdErrors.initialMagic(magic);
        }
        if (version != MultifdPacketDescriptor.VERSION) {
            throw MultifdErrors.initialVersion(version);
        }
        if (!uuid.equals(local)) {
            throw MultifdErrors.uuidMismatch(uuid, local, channelId);
        }
        if (channelId >= channels) {
            throw MultifdErrors.channelIdOutOfRange(version);
        }
        return channelId;
    }
}
