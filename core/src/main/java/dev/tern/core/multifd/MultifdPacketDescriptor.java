package dev.tern.core.multifd;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;

/**
 * The multifd wire format of QEMU 7.2 ("version 1", spec 8.4): the 64-byte initial packet each
 * channel starts with, and the header every data and SYNC packet carries. All fields big-endian,
 * packed.
 *
 * <pre>
 * Initial packet (MultiFDInit_t), 64 bytes:
 *   0       4       8                      24  25        32                              64
 *   +-------+-------+----------------------+---+---------+-------------------------------+
 *   | magic |version|  uuid (16 raw bytes) |id | 7 x 0   |      4 x u64 reserved, 0      |
 *   +-------+-------+----------------------+---+---------+-------------------------------+
 *
 * Packet header (MultiFDPacket_t), 320 + 8 x pages_alloc bytes (1344 with 4 KiB pages):
 *   0       4       8       12           16            20                24           32
 *   +-------+-------+-------+------------+-------------+-----------------+------------+
 *   | magic |version| flags |pages_alloc |normal_pages |next_packet_size | packet_num |
 *   +-------+-------+-------+------------+-------------+-----------------+------------+
 *   32                      64                                  320
 *   +-----------------------+-----------------------------------+--------------------------+
 *   | 4 x u64 reserved, 0   | RAM block idstr, NUL padded (256) | pages_alloc x be64 offset|
 *   +-----------------------+-----------------------------------+--------------------------+
 * </pre>
 *
 * <p>The whole offset array is always on the wire, only the first {@code normal_pages} entries
 * are meaningful. The payload follows the header: {@code normal_pages} raw pages in offset order
 * ({@code none}) or one compressed blob of {@code next_packet_size} bytes (zlib, zstd).
 */
public final class MultifdPacketDescriptor {
    /** {@code MULTIFD_MAGIC}. */
    public static final int MAGIC = 0x11223344;
    /** {@code MULTIFD_VERSION}. */
    public static final int VERSION = 1;
    /** Length of the initial packet. */
    public static final int INITIAL_PACKET_LENGTH = 64;
    /** Offset of the UUID in the initial packet. */
    public static final int INITIAL_UUID_OFFSET = 8;
    /** Offset of the channel id in the initial packet. */
    public static final int INITIAL_ID_OFFSET = 24;
    /** {@code MULTIFD_FLAG_SYNC}. */
    public static final int FLAG_SYNC = 0x1;
    /** {@code MULTIFD_FLAG_NOCOMP}: no compression bits. */
    public static final int FLAG_NOCOMP = 0x0;
    /** {@code MULTIFD_FLAG_ZLIB}. */
    public static final int FLAG_ZLIB = 0x2;
    /** {@code MULTIFD_FLAG_ZSTD}. */
    public static final int FLAG_ZSTD = 0x4;
    /** {@code MULTIFD_FLAG_COMPRESSION_MASK}: bits 1 to 3. */
    public static final int COMPRESSION_MASK = 0xE;
    /** {@code MULTIFD_PACKET_SIZE}: the payload a packet can carry, 512 KiB. */
    public static final int PACKET_SIZE = 512 * 1024;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 8;
    /** Offset of pages_alloc. */
    public static final int PAGES_ALLOC_OFFSET = 12;
    /** Offset of normal_pages. */
    public static final int NORMAL_PAGES_OFFSET = 16;
    /** Offset of next_packet_size. */
    public static final int NEXT_PACKET_SIZE_OFFSET = 20;
    /** Offset of packet_num. */
    public static final int PACKET_NUM_OFFSET = 24;
    /** Offset of the RAM block idstr. */
    public static final int IDSTR_OFFSET = 64;
    /** Bytes of the idstr field. */
    public static final int IDSTR_LENGTH = 256;
    /** Offset of the page offset array. */
    public static final int OFFSETS_OFFSET = IDSTR_OFFSET + IDSTR_LENGTH;

    private MultifdPacketDescriptor() {
    }

    /**
     * {@code pages_alloc}: the pages a packet holds, 512 KiB over the target page size.
     *
     * @param pageSize the target page size
     * @return 128 for 4 KiB pages
     */
    public static int pagesAlloc(int pageSize) {
        return PACKET_SIZE / pageSize;
    }

    /**
     * The header length, {@code packet_len} in QEMU: 320 + 8 x pages_alloc.
     *
     * @param pageSize the target page size
     * @return 1344 for 4 KiB pages
     */
    public static int headerLength(int pageSize) {
        return OFFSETS_OFFSET + Long.BYTES * pagesAlloc(pageSize);
    }

    /**
     * The 16 bytes QEMU sends for its UUID: the raw UUID, all zero without {@code -uuid}.
     *
     * @param uuid the VM's UUID, if it has one
     * @return 16 bytes
     */
    public static byte[] uuidBytes(Optional<UUID> uuid) {
        byte[] b = new byte[16];
        uuid.ifPresent(u -> ByteBuffer.wrap(b).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()));
        return b;
    }

    /**
     * Writes an initial packet at {@code dst}'s position, advancing it by 64.
     *
     * @param dst the buffer (big-endian)
     * @param uuid the 16 UUID bytes
     * @param channelId the channel id, 0 to 255
     */
    public static void writeInitial(ByteBuffer dst, byte[] uuid, int channelId) {
        dst.putInt(MAGIC).putInt(VERSION).put(uuid, 0, 16).put((byte) channelId);
        for (int i = INITIAL_ID_OFFSET + 1; i < INITIAL_PACKET_LENGTH; i++) {
            dst.put((byte) 0);
        }
    }

    /**
     * Writes a packet header at {@code dst}'s position, the whole offset array included (unused
     * entries zero), advancing it by {@link #headerLength(int)}.
     *
     * @param dst the buffer (big-endian), with room for the header
     * @param flags SYNC and compression bits
     * @param pagesAlloc {@link #pagesAlloc(int)}
     * @param normalPages pages carried
     * @param nextPacketSize payload bytes after the header
     * @param packetNum the global packet number
     * @param idstr the block's idstr bytes (at most 255 are sent), or null for none
     * @param offsets the page offsets; the first {@code normalPages} are written
     */
    public static void writeHeader(ByteBuffer dst, int flags, int pagesAlloc, int normalPages, int nextPacketSize,
            long packetNum, byte[] idstr, long[] offsets) {
        dst.putInt(MAGIC).putInt(VERSION).putInt(flags).putInt(pagesAlloc).putInt(normalPages).putInt(nextPacketSize)
                .putLong(packetNum).putLong(0).putLong(0).putLong(0).putLong(0);
        int name = idstr == null ? 0 : Math.min(idstr.length, IDSTR_LENGTH - 1);
        if (name > 0) {
            dst.put(idstr, 0, name);
        }
        for (int i = name; i < IDSTR_LENGTH; i++) {
            dst.put((byte) 0);
        }
        for (int i = 0; i < pagesAlloc; i++) {
            dst.putLong(i < normalPages ? offsets[i] : 0);
        }
    }
}
