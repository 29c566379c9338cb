package dev.tern.core.multifd;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.multifd.codec.PacketDecompressor;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.transport.MigrationChannel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads one multifd channel's packets on the destination (QEMU's {@code multifd_recv_thread}
 * body, {@code multifd_recv_unfill_packet} and the {@code recv_pages} methods, spec 8.4, 9.2,
 * 9.3): the header is checked, then the pages go from the socket straight into guest memory
 * by scatter reads into views of the pages ({@code none}), or the compressed payload is read
 * into the channel's buffer and decompressed into those views (zlib, zstd). Nothing is allocated
 * per packet.
 *
 * <p>Used by one thread at a time (its channel's receiver thread).
 */
final class PacketReader {
    /** QEMU's zlib receive buffer: twice a packet's payload. */
    static final int COMPRESSED_BUFFER = 2 * MultifdPacketDescriptor.PACKET_SIZE;

    private final int channelId;
    private final MigrationChannel channel;
    private final Optional<SocketChannel> socket;
    private final int pageSize;
    private final List<? extends RamBlock> blocks;
    private final byte[][] names;
    private final BlockWindows[] views;
    private final PacketDecompressor decompressor;
    private final int expectedCompression;
    private final ByteBuffer compressed;
    private final ByteBuffer headerBytes;
    private final PacketHeader header;
    private final ByteBuffer[] pageViews;

    /**
     * A reader for one channel.
     *
     * @param channelId the channel's id
     * @param channel the accepted channel, past its initial packet
     * @param pageSize the target page size
     * @param blocks the destination's RAM blocks
     * @param decompressor the channel's decompressor, or empty for {@code none}
     */
    PacketReader(int channelId, MigrationChannel channel, int pageSize, List<? extends RamBlock> blocks,
            Optional<PacketDecompressor> decompressor) {
        this.channelId = channelId;
        this.channel = channel;
        this.socket = channel.socket();
        this.pageSize = pageSize;
        this.blocks = List.copyOf(blocks);
        this.names = new byte[this.blocks.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = this.blocks.get(i).name().getBytes(StandardCharsets.UTF_8);
        }
        this.views = new BlockWindows[names.length];
        this.decompressor = decompressor.orElse(null);
        this.expectedCompression = this.decompressor == null ? MultifdPacketDescriptor.FLAG_NOCOMP
                : this.decompressor.flags();
        this.compressed = this.decompressor == null ? null : ByteBuffer.allocateDirect(COMPRESSED_BUFFER);
        this.headerBytes = ByteBuffer.allocateDirect(MultifdPacketDescriptor.headerLength(pageSize));
        this.header = new PacketHeader(pageSize);
        this.pageViews = new ByteBuffer[MultifdPacketDescriptor.pagesAlloc(pageSize)];
    }

    /**
     * Reads the next packet, its pages landing in guest memory.
     *
     * @return the packet's header (the same object every time), or null at a clean end of the
     *     stream between packets
     * @throws StreamFormatException a header check failed (see {@link PacketHeader#decode}),
     *     "multifd: unknown ram block %s", "multifd: offset too long ...",
     *     "multifd %u: flags received %x flags expected %x", or the decompressor's error
     * @throws IOException if the channel fails or ends inside a packet
     */
    PacketHeader readPacket() throws IOException {
        headerBytes.clear();
        if (!readFully(headerBytes, true)) {
            return null;
        }
        headerBytes.flip();
        header.decode(headerBytes);
        int n = header.normalPages();
        if (n == 0) {
            return header;
        }
        int b = findBlock();
        RamBlock block = blocks.get(b);
        long used = block.usedLength();
        for (int i = 0; i < n; i++) {
            long offset = header.offset(i);
            if (Long.compareUnsigned(offset, used - pageSize) > 0) {
                throw MultifdErrors.offsetTooLong(offset, used);
            }
        }
        int compression = header.flags() & MultifdPacketDescriptor.COMPRESSION_MASK;
        if (compression != expectedCompression) {
            throw MultifdErrors.flagsMismatch(channelId, compression, expectedCompression);
        }
        BlockWindows v = viewsOf(b, block, used);
        for (int i = 0; i < n; i++) {
            pageViews[i] = v.view(header.offset(i), pageSize, i);
        }
        if (decompressor == null) {
            readPages(n);
        } else {
            int size = header.nextPacketSize();
            if (Integer.compareUnsigned(size, COMPRESSED_BUFFER) > 0) {
                throw MultifdErrors.payloadTooLarge(channelId, size, COMPRESSED_BUFFER);
            }
            compressed.clear().limit(size);
            readFully(compressed, false);
            compressed.flip();
            decompressor.decompress(compressed, pageViews, n);
        }
        return header;
    }

    /** Frees the decompressor's native state. */
    void close() {
        if (decompressor != null) {
            decompressor.close();
        }
    }

    private int findBlock() throws StreamFormatException {
        byte[] id = header.idstr();
        int length = header.idLength();
        for (int i = 0; i < names.length; i++) {
            if (names[i].length == length && Arrays.equals(names[i], 0, length, id, 0, length)) {
                return i;
            }
        }
        throw MultifdErrors.unknownBlock(header.blockName());
    }

    private BlockWindows viewsOf(int b, RamBlock block, long used) {
        // The main loader may resize a block at setup (MEM_SIZE); views follow the used length.
        BlockWindows v = views[b];
        if (v == null || v.length() != used) {
            v = BlockWindows.withSlots(block.memory(), used, pageViews.length);
            views[b] = v;
        }
        return v;
    }

    /** Scatter reads into the page views: all pages of the packet, usually in one system call. */
    private void readPages(int n) throws IOException {
        if (socket.isEmpty()) {
            for (int i = 0; i < n; i++) {
                readFully(pageViews[i], false);
            }
            return;
        }
        SocketChannel s = socket.get();
        int first = 0;
        while (first < n) {
            long r = s.read(pageViews, first, n - first);
            if (r < 0) {
                throw new EOFException("multifd " + channelId + ": the channel ended inside a packet");
            }
            while (first < n && !pageViews[first].hasRemaining()) {
                first++;
            }
        }
    }

    /** Reads until {@code dst} is full; false if the stream ended before its first byte and that is allowed. */
    private boolean readFully(ByteBuffer dst, boolean endAllowed) throws IOException {
        boolean first = true;
        while (dst.hasRemaining()) {
            int r = channel.read(dst);
            if (r < 0) {
                if (first && endAllowed) {
                    return false;
                }
                throw new EOFException("multifd " + channelId + ": the channel ended inside a packet");
            }
            first = false;
        }
        return true;
    }
}
