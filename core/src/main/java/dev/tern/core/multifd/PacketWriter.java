package dev.tern.core.multifd;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.multifd.codec.PacketCompressor;
import dev.tern.core.stream.BlockWindows;
import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Writes one multifd channel's packets (QEMU's {@code multifd_send_thread} body and the
 * {@code send_prepare} methods, spec 8.4, 9.2, 9.3, 14.8): the header and the payload leave in
 * one gathering write whose page buffers are views of guest memory, so no page is copied in
 * user space and nothing is allocated per packet.
 *
 * <p>With {@code zero-copy-send}, QEMU sends the header normally and the pages with
 * {@code MSG_ZEROCOPY}. Tern's equivalent is {@code sendfile}: the pages of a block with a
 * {@linkplain RamBlock#backingFile() backing file} go from that file to the socket through
 * {@link FileChannel#transferTo} and never pass through user space. A block without a backing
 * file is sent with the gathering write, which the kernel copies: the counterpart of a
 * {@code MSG_ZEROCOPY} send the kernel reported as copied. At each sync,
 * {@link #flushZeroCopy()} reports a miss ({@code dirty-sync-missed-zero-copy}) when the channel
 * sent pages since the previous flush and every one of those sends was copied; a channel with no
 * page sends in between is not a miss (QEMU's flush returns 0 when nothing was queued).
 *
 * <p>Used by one thread at a time (its channel's sender thread).
 */
final class PacketWriter {
    private final int channelId;
    private final MigrationChannel channel;
    private final int pageSize;
    private final int pagesAlloc;
    private final RamBlock[] blocks;
    private final byte[][] names;
    private final BlockWindows[] views;
    private final PacketCompressor compressor;
    private final ByteBuffer compressed;
    private final boolean zeroCopy;
    private final ByteBuffer header;
    private final ByteBuffer[] pageViews;
    // One gather array per length, made once, so a write allocates nothing.
    private final ByteBuffer[][] gatherOfLength;
    private final ByteBuffer[] headerAndPayload = new ByteBuffer[2];
    private final ByteBuffer[] headerOnly = new ByteBuffer[1];
    private long copiedSends;
    private long zeroCopySends;

    /**
     * A writer for one channel.
     *
     * @param channelId the channel's id
     * @param channel the connected channel
     * @param pageSize the target page size
     * @param blocks the migrated blocks, indexed as {@link PagePacket#block}
     * @param compressor the channel's compressor, or empty for {@code none}
     * @param zeroCopy whether {@code zero-copy-send} is on
     */
    PacketWriter(int channelId, MigrationChannel channel, int pageSize, List<RamBlock> blocks,
            Optional<PacketCompressor> compressor, boolean zeroCopy) {
        this.channelId = channelId;
        this.channel = channel;
        this.pageSize = pageSize;
        this.pagesAlloc = MultifdPacketDescriptor.pagesAlloc(pageSize);
        this.blocks = blocks.toArray(new RamBlock[0]);
        this.names = new byte[this.blocks.length][];
        for (int i = 0; i < names.length; i++) {
            names[i] = this.blocks[i].name().getBytes(StandardCharsets.UTF_8);
        }
        this.views = new BlockWindows[this.blocks.length];
        this.compressor = compressor.orElse(null);
        this.compressed = this.compressor == null ? null
                : ByteBuffer.allocateDirect(this.compressor.outputBound(pagesAlloc));
        this.zeroCopy = zeroCopy;
        this.header = ByteBuffer.allocateDirect(MultifdPacketDescriptor.headerLength(pageSize));
        this.pageViews = new ByteBuffer[pagesAlloc];
        this.gatherOfLength = new ByteBuffer[pagesAlloc + 2][];
        for (int n = 0; n < gatherOfLength.length; n++) {
            gatherOfLength[n] = new ByteBuffer[n];
        }
    }

    /**
     * Writes the initial packet ({@code multifd_send_initial_packet}).
     *
     * @param uuid the 16 UUID bytes of the source
     * @throws IOException if the write fails
     */
    void writeInitial(byte[] uuid) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MultifdPacketDescriptor.INITIAL_PACKET_LENGTH);
        MultifdPacketDescriptor.writeInitial(b, uuid, channelId);
        channel.writeFully(b.flip());
    }

    /**
     * Writes a data packet: header and pages.
     *
     * @param packet the pages, at least one
     * @param packetNum the packet's number
     * @throws IOException if the write fails, or the compressor does
     */
    void writeData(PagePacket packet, long packetNum) throws IOException {
        int n = packet.count;
        int b = packet.block;
        BlockWindows v = viewsOf(b);
        for (int i = 0; i < n; i++) {
            pageViews[i] = v.view(packet.offsets[i], pageSize, i);
        }
        if (compressor != null) {
            compressed.clear();
            int size = compressor.compress(pageViews, n, compressed);
            compressed.flip();
            fillHeader(compressor.flags(), n, size, packetNum, names[b], packet.offsets);
            headerAndPayload[0] = header;
            headerAndPayload[1] = compressed;
            channel.writeFully(headerAndPayload);
            return;
        }
        fillHeader(MultifdPacketDescriptor.FLAG_NOCOMP, n, n * pageSize, packetNum, names[b], packet.offsets);
        Optional<FileChannel> file = zeroCopy ? blocks[b].backingFile() : Optional.empty();
        Optional<SocketChannel> socket = file.isPresent() ? channel.socket() : Optional.empty();
        if (socket.isPresent()) {
            headerOnly[0] = header;
            channel.writeFully(headerOnly);
            sendFile(file.get(), blocks[b].backingFileOffset(), packet, socket.get());
            zeroCopySends++;
            return;
        }
        ByteBuffer[] gather = gatherOfLength[n + 1];
        gather[0] = header;
        System.arraycopy(pageViews, 0, gather, 1, n);
        try {
            channel.writeFully(gather);
        } finally {
            java.util.Arrays.fill(gather, null);
        }
        if (zeroCopy) {
            copiedSends++;
        }
    }

    /**
     * Writes a SYNC packet: a header with no pages.
     *
     * @param packetNum the packet's number
     * @throws IOException if the write fails
     */
    void writeSync(long packetNum) throws IOException {
        int flags = MultifdPacketDescriptor.FLAG_SYNC | (compressor == null ? 0 : compressor.flags());
        fillHeader(flags, 0, 0, packetNum, null, null);
        headerOnly[0] = header;
        channel.writeFully(headerOnly);
    }

    /**
     * The zero-copy flush of a sync ({@code multifd_zero_copy_flush}): whether every page send
     * since the previous flush was copied (a miss), then starts counting afresh.
     *
     * @return true for a miss: some page sends, none of them zero-copy
     */
    boolean flushZeroCopy() {
        boolean missed = copiedSends > 0 && zeroCopySends == 0;
        copiedSends = 0;
        zeroCopySends = 0;
        return missed;
    }

    /** Frees the compressor's native state. */
    void close() {
        if (compressor != null) {
            compressor.close();
        }
    }

    private void fillHeader(int flags, int pages, int payload, long packetNum, byte[] idstr, long[] offsets) {
        header.clear();
        MultifdPacketDescriptor.writeHeader(header, flags, pagesAlloc, pages, payload, packetNum, idstr, offsets);
        header.flip();
    }

    /** sendfile for each run of contiguous pages. */
    private void sendFile(FileChannel file, long base, PagePacket packet, SocketChannel socket) throws IOException {
        int i = 0;
        while (i < packet.count) {
            long start = packet.offsets[i];
            int j = i + 1;
            while (j < packet.count && packet.offsets[j] == start + (long) (j - i) * pageSize) {
                j++;
            }
            long position = base + start;
            long left = (long) (j - i) * pageSize;
            while (left > 0) {
                long sent = file.transferTo(position, left, socket);
                if (sent <= 0) {
                    // A blocking socket's sendfile only stops short at the end of the file.
                    throw new IOException("multifd " + channelId + ": sendfile sent nothing at file offset " + position);
                }
                position += sent;
                left -= sent;
            }
            i = j;
        }
    }

    private BlockWindows viewsOf(int b) {
        BlockWindows v = views[b];
        long used = blocks[b].usedLength();
        if (v == null || v.length() != used) {
            v = BlockWindows.withSlots(blocks[b].memory(), used, pagesAlloc);
            views[b] = v;
        }
        return v;
    }
}
