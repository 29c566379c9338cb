package dev.tern.core.multifd;

import dev.tern.core.stream.StreamFormatException;
import java.nio.ByteBuffer;

/**
 * One decoded packet header ({@code MultiFDPacket_t}, layout in
 * {@link MultifdPacketDescriptor}), reused for every packet of a receiving channel so decoding
 * allocates nothing.
 */
public final class PacketHeader {
    private final int localPagesAlloc;
    private final long[] offsets;
    private final byte[] idstr = new byte[MultifdPacketDescriptor.IDSTR_LENGTH];
    private int idLength;
    private int flags;
    private int pagesAlloc;
    private int normalPages;
    private int nextPacketSize;
    private long packetNum;

    /**
     * A header for the local target page size.
     *
     * @param pageSize the target page size
     */
    public PacketHeader(int pageSize) {
        this.localPagesAlloc = MultifdPacketDescriptor.pagesAlloc(pageSize);
        this.offsets = new long[localPagesAlloc];
    }

    /**
     * Decodes and checks a header ({@code multifd_recv_unfill_packet}), in QEMU's order. The block
     * name and offsets are only decoded when the packet carries pages; the offsets are checked
     * against the block by the caller, who knows it.
     *
     * @param src the header bytes from its position, {@link MultifdPacketDescriptor#headerLength(int)}
     *     of them; the position advances past them
     * @throws StreamFormatException "multifd: received packet magic %x and expected magic %x",
     *     "multifd: received packet version %u and expected version %u",
     *     "multifd: received packet with size %u and expected a size of %u",
     *     "multifd: received packet with %u pages and expected maximum pages are %u"
     */
    public void decode(ByteBuffer src) throws StreamFormatException {
        int start = src.position();
        int magic = src.getInt(start);
        if (magic != MultifdPacketDescriptor.MAGIC) {
            throw MultifdErrors.packetMagic(magic);
        }
        int version = src.getInt(start + 4);
        if (version != MultifdPacketDescriptor.VERSION) {
            throw MultifdErrors.packetVersion(version);
        }
        flags = src.getInt(start + MultifdPacketDescriptor.FLAGS_OFFSET);
        pagesAlloc = src.getInt(start + MultifdPacketDescriptor.PAGES_ALLOC_OFFSET);
        if (Integer.compareUnsigned(pagesAlloc, localPagesAlloc) > 0) {
            throw MultifdErrors.packetSize(pagesAlloc, localPagesAlloc);
        }
        normalPages = src.getInt(start + MultifdPacketDescriptor.NORMAL_PAGES_OFFSET);
        if (Integer.compareUnsigned(normalPages, pagesAlloc) > 0) {
            throw MultifdErrors.tooManyPages(normalPages, pagesAlloc);
        }
        nextPacketSize = src.getInt(start + MultifdPacketDescriptor.NEXT_PACKET_SIZE_OFFSET);
        packetNum = src.getLong(start + MultifdPacketDescriptor.PACKET_NUM_OFFSET);
        idLength = 0;
        if (normalPages > 0) {
            // QEMU forces byte 255 to NUL: the name is what precedes the first NUL of 255 bytes.
            int at = start + MultifdPacketDescriptor.IDSTR_OFFSET;
            while (idLength < MultifdPacketDescriptor.IDSTR_LENGTH - 1 && src.get(at + idLength) != 0) {
                idstr[idLength] = src.get(at + idLength);
                idLength++;
            }
            int o = start + MultifdPacketDescriptor.OFFSETS_OFFSET;
            for (int i = 0; i < normalPages; i++) {
                offsets[i] = src.getLong(o + Long.BYTES * i);
            }
        }
        src.position(start + MultifdPacketDescriptor.OFFSETS_OFFSET + Long.BYTES * pagesAlloc);
    }

    /**
     * The flags, SYNC and compression bits.
     *
     * @return the flags
     */
    public int flags() {
        return flags;
    }

    /**
     * Whether the SYNC flag is set.
     *
     * @return true for a SYNC packet
     */
    public boolean sync() {
        return (flags & MultifdPacketDescriptor.FLAG_SYNC) != 0;
    }

    /**
     * pages_alloc.
     *
     * @return pages
     */
    public int pagesAlloc() {
        return pagesAlloc;
    }

    /**
     * normal_pages.
     *
     * @return pages carried
     */
    public int normalPages() {
        return normalPages;
    }

    /**
     * next_packet_size.
     *
     * @return payload bytes, unsigned
     */
    public int nextPacketSize() {
        return nextPacketSize;
    }

    /**
     * packet_num.
     *
     * @return the number
     */
    public long packetNum() {
        return packetNum;
    }

    /**
     * The offset of page {@code i}.
     *
     * @param i 0 to {@link #normalPages()} - 1
     * @return the byte offset within the block
     */
    public long offset(int i) {
        return offsets[i];
    }

    /**
     * The block name bytes (up to the first NUL); valid when pages are carried.
     *
     * @return the internal array; the first {@link #idLength()} bytes are the name
     */
    byte[] idstr() {
        return idstr;
    }

    /**
     * The length of the block name.
     *
     * @return bytes
     */
    int idLength() {
        return idLength;
    }

    /**
     * The block name as a string, for messages.
     *
     * @return the name
     */
    public String blockName() {
        return new String(idstr, 0, idLength, java.nio.charset.StandardCharsets.UTF_8);
    }
}
