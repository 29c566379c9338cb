package dev.tern.core.stream;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.xbzrle.XbzrleDecoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decodes RAM section records on one channel and loads them into guest RAM (spec §8.3, QEMU
 * {@code ram_load_precopy}, {@code ram_block_from_stream}, {@code ram_handle_compressed}); layout
 * in {@link RamRecordDescriptor}.
 *
 * <p>PAGE payloads go from the channel straight into guest memory through {@link BlockWindows}
 * made once per block; block names are matched as bytes against names encoded once, so a page
 * record allocates nothing. A ZERO page is written only if its fill byte is not zero or the page
 * is not already all zero. XBZRLE deltas are always decoded, whatever the local capabilities (as
 * QEMU's {@code load_xbzrle}), in place onto the page, unless the options name a
 * {@link RamPageDecoder} to do it. Every write lands inside {@code [0, usedLength)} of a named
 * block.
 *
 * <p>One instance per channel (the CONTINUE state is per channel), used by one thread.
 */
public final class RamRecordReader {
    private final StreamReader in;
    private final RamLoadOptions options;
    private final int pageSize;
    private final RamBlock[] blocks;
    private final byte[][] names;
    private final MemorySegment[] memory;
    private final long[] used;
    private final BlockWindows[] windows;
    private final byte[] nameBuffer = new byte[RamRecordDescriptor.MAX_BLOCK_NAME_LENGTH];
    /** One XBZRLE delta at a time, read here and then applied onto the page. */
    private final ByteBuffer xbzrleView;
    private final MemorySegment xbzrleData;
    private int lastBlock = -1;
    private long lastOffset;

    /**
     * A reader loading into the given blocks.
     *
     * @param in the channel's stream
     * @param blocks the destination's RAM blocks
     * @param options what the destination accepts
     */
    public RamRecordReader(StreamReader in, List<? extends RamBlock> blocks, RamLoadOptions options) {
        this.in = Objects.requireNonNull(in, "in");
        this.options = Objects.requireNonNull(options, "options");
        this.pageSize = options.targetPageSize();
        int n = blocks.size();
        this.blocks = blocks.toArray(new RamBlock[0]);
        this.names = new byte[n][];
        this.memory = new MemorySegment[n];
        this.used = new long[n];
        this.windows = new BlockWindows[n];
        this.xbzrleView = ByteBuffer.allocateDirect(pageSize);
        this.xbzrleData = MemorySegment.ofBuffer(xbzrleView);
        for (int i = 0; i < n; i++) {
            names[i] = this.blocks[i].name().getBytes(StandardCharsets.UTF_8);
            memory[i] = this.blocks[i].memory();
            mapBlock(i);
        }
    }

    /**
     * Forgets the last block (a new channel, or a resume), so a CONTINUE record is refused until a
     * record names its block.
     */
    public void resetContinue() {
        lastBlock = -1;
    }

    /**
     * Loads records until EOS (one section's RAM data).
     *
     * @return the number of page records (ZERO, PAGE, XBZRLE, COMPRESS_PAGE) loaded
     * @throws StreamFormatException on a malformed record (QEMU's texts, see {@link #loadRecord()})
     * @throws IOException on end of stream or channel failure
     */
    public long loadSection() throws IOException {
        long pages = 0;
        while (true) {
            int flags = loadRecord();
            if ((flags & RamRecordDescriptor.FLAG_EOS) != 0) {
                return pages;
            }
            if ((flags & RamRecordDescriptor.PAGE_CARRYING_FLAGS) != 0) {
                pages++;
            }
        }
    }

    /**
     * Loads one record.
     *
     * @return the record's flag bits; EOS among them ends the section
     * @throws StreamFormatException "Received an unexpected compressed page", "Ack, bad migration stream!",
     *     "Can't find block %s", "block %s should not be migrated !", "Illegal RAM offset %lx",
     *     "Unknown combination of migration flags: 0x%x", the MEM_SIZE errors
     *     ("Unknown ramblock \"%s\", cannot accept migration", "Size mismatch: ...",
     *     "Length too large: ...", "Mismatched RAM page size ...", "Mismatched GPAs for block ..."),
     *     "Failed to load XBZRLE page - wrong compression!", "Failed to load XBZRLE page - len overflow!",
     *     "Failed to decompress XBZRLE page at %lx" (a malformed delta; its cause says "Failed to
     *     load XBZRLE page - decode error!"), "Invalid compressed data length: %d", and whatever
     *     the page decoder throws
     * @throws IOException on end of stream or channel failure
     */
    public int loadRecord() throws IOException {
        long word = in.get64();
        int flags = RamRecordDescriptor.flags(word, pageSize);
        long addr = RamRecordDescriptor.offset(word, pageSize);
        if (!options.compress() && (flags & RamRecordDescriptor.FLAG_COMPRESS_PAGE) != 0) {
            throw StreamFormatException.unexpectedCompressedPage();
        }
        int block = -1;
        if ((flags & RamRecordDescriptor.PAGE_CARRYING_FLAGS) != 0) {
            block = blockFromStream(flags);
            if (Long.compareUnsigned(addr, used[block]) >= 0) {
                throw StreamFormatException.illegalRamOffset(addr);
            }
            lastOffset = addr;
        }
        switch (flags & ~RamRecordDescriptor.FLAG_CONTINUE) {
            case RamRecordDescriptor.FLAG_MEM_SIZE -> readBlockList(addr);
            case RamRecordDescriptor.FLAG_ZERO -> {
                awaitDecoder(block, addr);
                zeroPage(block, addr, in.get8());
            }
            case RamRecordDescriptor.FLAG_PAGE -> {
                awaitDecoder(block, addr);
                in.readFully(windows[block].page(addr, pageSize));
            }
            case RamRecordDescriptor.FLAG_COMPRESS_PAGE -> compressedPage(block, addr);
            case RamRecordDescriptor.FLAG_XBZRLE -> xbzrlePage(block, addr);
            case RamRecordDescriptor.FLAG_EOS -> {
                // End of this section's RAM data: asynchronously decoded pages land before it ends.
                if (options.decoder().isPresent()) {
                    options.decoder().get().endOfSection();
                }
            }
            default -> throw (flags & RamRecordDescriptor.FLAG_HOOK) != 0
                    ? StreamFormatException.hookWithoutRdma()
                    : StreamFormatException.unknownFlags(flags);
        }
        return flags;
    }

    /**
     * The block of the last page record, for a receive bitmap.
     *
     * @return its index in the block list, or -1 before any page record
     */
    public int lastBlockIndex() {
        return lastBlock;
    }

    /**
     * The offset of the last page record in its block.
     *
     * @return the offset
     */
    public long lastOffset() {
        return lastOffset;
    }

    private int blockFromStream(int flags) throws IOException {
        if ((flags & RamRecordDescriptor.FLAG_CONTINUE) != 0) {
            if (lastBlock < 0) {
                throw StreamFormatException.continueWithoutBlock();
            }
            return lastBlock;
        }
        int length = in.get8();
        in.getBytes(nameBuffer, 0, length);
        int b = find(length);
        if (b < 0) {
            throw StreamFormatException.cantFindBlock(StreamReader.cString(nameBuffer, length));
        }
        if (ignored(b)) {
            throw StreamFormatException.blockNotMigrated(blocks[b].name());
        }
        lastBlock = b;
        return b;
    }

    /** The block whose name equals the C string in {@code nameBuffer[0..length)}, or -1. */
    private int find(int length) {
        int end = 0;
        while (end < length && nameBuffer[end] != 0) {
            end++;
        }
        for (int i = 0; i < names.length; i++) {
            byte[] name = names[i];
            if (name.length == end && Arrays.equals(name, 0, end, nameBuffer, 0, end)) {
                return i;
            }
        }
        return -1;
    }

    private boolean ignored(int b) {
        return options.ignoreShared() && blocks[b].shared();
    }

    private void zeroPage(int b, long addr, int fill) {
        MemorySegment m = memory[b];
        if (fill != 0) {
            // QEMU's fill byte is always 0 in practice; a non-zero one is rare enough to slice.
            m.asSlice(addr, pageSize).fill((byte) fill);
        } else if (!ZeroPages.isZero(m, addr, pageSize)) {
            ZeroPages.clear(m, addr, pageSize);
        }
    }

    private void xbzrlePage(int b, long addr) throws IOException {
        int encoding = in.get8();
        int length = in.get16();
        if (encoding != RamRecordDescriptor.XBZRLE_ENCODING_FLAG) {
            throw StreamFormatException.xbzrleWrongEncoding();
        }
        if (length > pageSize) {
            throw StreamFormatException.xbzrleLengthOverflow();
        }
        if (options.decoder().isPresent()) {
            try {
                options.decoder().get().loadXbzrle(in, length, windows[b].page(addr, pageSize));
            } catch (StreamFormatException e) {
                throw StreamFormatException.xbzrlePageFailed(addr, e);
            }
            return;
        }
        Objects.checkFromIndexSize(addr, pageSize, used[b]);
        xbzrleView.clear().limit(length);
        in.readFully(xbzrleView);
        try {
            XbzrleDecoder.decode(xbzrleData, 0, length, memory[b], addr, pageSize);
        } catch (StreamFormatException e) {
            throw StreamFormatException.xbzrlePageFailed(addr, e);
        }
    }

    /** A page the reader writes itself waits for the decoder's writes to it, if any. */
    private void awaitDecoder(int b, long addr) throws IOException {
        if (options.decoder().isPresent()) {
            options.decoder().get().awaitPage(windows[b].page(addr, pageSize));
        }
    }

    private void compressedPage(int b, long addr) throws IOException {
        int length = (int) in.get32();
        if (length < 0 || length > RamRecordDescriptor.compressBound(pageSize)) {
            throw StreamFormatException.invalidCompressedLength(length);
        }
        RamPageDecoder d = options.decoder().orElseThrow(() -> StreamFormatException.noPageDecoder("compressed", addr));
        d.loadCompressed(in, length, windows[b].page(addr, pageSize));
    }

    private void readBlockList(long total) throws IOException {
        long left = total;
        while (left != 0) {
            int length = in.get8();
            in.getBytes(nameBuffer, 0, length);
            long usedLength = in.get64();
            int b = find(length);
            if (b < 0) {
                throw StreamFormatException.unknownRamBlock(StreamReader.cString(nameBuffer, length));
            }
            RamBlock block = blocks[b];
            if (usedLength != used[b]) {
                resize(b, usedLength);
            }
            if (options.postcopyRamAdvised() && block.pageSize() != options.hostPageSize()) {
                long remote = in.get64();
                if (remote != block.pageSize()) {
                    throw StreamFormatException.pageSizeMismatch(block.name(), block.pageSize(), remote);
                }
            }
            if (options.ignoreShared()) {
                long gpa = in.get64();
                long local = block.guestPhysicalAddress().orElse(0);
                if (ignored(b) && gpa != local) {
                    throw StreamFormatException.gpaMismatch(block.name(), gpa, local);
                }
            }
            // Unsigned wrap as in QEMU: a list that overshoots the total keeps reading until EOF.
            left -= usedLength;
        }
    }

    /** {@code qemu_ram_resize}: host-page aligned, resizable blocks only, within the block's memory. */
    private void resize(int b, long length) throws StreamFormatException {
        RamBlock block = blocks[b];
        long align = options.hostPageSize();
        long aligned = (length + align - 1) & -align;
        if (aligned == used[b]) {
            return;
        }
        if (!block.resizable()) {
            throw StreamFormatException.sizeMismatch(block.name(), aligned, used[b]);
        }
        long max = memory[b].byteSize();
        if (Long.compareUnsigned(aligned, max) > 0) {
            throw StreamFormatException.lengthTooLarge(block.name(), aligned, max);
        }
        block.resize(aligned);
        mapBlock(b);
    }

    private void mapBlock(int b) {
        used[b] = blocks[b].usedLength();
        windows[b] = new BlockWindows(memory[b], used[b]);
    }
}
