package dev.tern.core.stream;

import dev.tern.api.guest.RamBlock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes RAM section records on one channel (spec §8.3; QEMU {@code save_page_header},
 * {@code save_zero_page_to_file}, {@code save_normal_page}, {@code ram_save_setup}); layout in
 * {@link RamRecordDescriptor}. Which pages to send is the engine's business; this class only
 * writes them, tracking the CONTINUE flag: a record for the same block as the previous page record
 * on this channel carries CONTINUE and no name.
 *
 * <p>One instance per channel, used by one thread. Nothing is allocated per page: block names are
 * encoded once per block.
 */
public final class RamRecordWriter {
    private final StreamWriter out;
    private final int targetPageSize;
    private final Map<RamBlock, byte[]> names = new IdentityHashMap<>();
    private RamBlock lastBlock;

    /**
     * A writer with 4 KiB target pages.
     *
     * @param out the channel's stream
     */
    public RamRecordWriter(StreamWriter out) {
        this(out, 1 << ConfigurationDescriptor.X86_TARGET_PAGE_BITS);
    }

    /**
     * A writer for a target page size.
     *
     * @param out the channel's stream
     * @param targetPageSize the target page size, a power of two
     */
    public RamRecordWriter(StreamWriter out, int targetPageSize) {
        if (targetPageSize <= 0 || Integer.bitCount(targetPageSize) != 1) {
            throw new IllegalArgumentException("target page size " + targetPageSize + " is not a power of two");
        }
        this.out = out;
        this.targetPageSize = targetPageSize;
    }

    /**
     * Forgets the last block, so the next page record names its block: at migration start, when
     * the block list changes, at postcopy switchover, at resume, and when switching channel.
     */
    public void resetContinue() {
        lastBlock = null;
    }

    /**
     * Writes the MEM_SIZE record: the total, then each block's name and used length.
     *
     * @param blocks every migratable block in RAM-list order, including ones x-ignore-shared skips
     * @param postcopyRam whether postcopy-ram is on (adds a block's page size when it differs from the host's)
     * @param hostPageSize the host page size
     * @param ignoreShared whether x-ignore-shared is on (adds each block's guest-physical address)
     * @return bytes written
     */
    public long writeBlockList(List<? extends RamBlock> blocks, boolean postcopyRam, long hostPageSize,
            boolean ignoreShared) {
        long total = 0;
        for (RamBlock b : blocks) {
            total += b.usedLength();
        }
        long before = out.bytesQueued();
        out.put64(RamRecordDescriptor.word(total, RamRecordDescriptor.FLAG_MEM_SIZE));
        for (RamBlock b : blocks) {
            out.putCountedString(name(b));
            out.put64(b.usedLength());
            if (postcopyRam && b.pageSize() != hostPageSize) {
                out.put64(b.pageSize());
            }
            if (ignoreShared) {
                out.put64(b.guestPhysicalAddress().orElse(0));
            }
        }
        return out.bytesQueued() - before;
    }

    /**
     * Writes a ZERO record (fill byte 0).
     *
     * @param block the page's block
     * @param offset the page's offset in the block, page aligned
     * @return bytes written
     */
    public int writeZeroPage(RamBlock block, long offset) {
        int n = header(block, offset, RamRecordDescriptor.FLAG_ZERO);
        out.put8(0);
        return n + 1;
    }

    /**
     * Writes a PAGE record: the header and the page in one gathering write, without copying it.
     *
     * @param block the page's block
     * @param offset the page's offset in the block, page aligned
     * @param page a view of the page, {@code targetPageSize} bytes remaining; its position advances
     * @return bytes written
     */
    public int writePage(RamBlock block, long offset, ByteBuffer page) {
        if (page.remaining() != targetPageSize) {
            throw new IllegalArgumentException("page view of " + page.remaining() + " bytes, expected "
                    + targetPageSize);
        }
        int n = header(block, offset, RamRecordDescriptor.FLAG_PAGE);
        out.putPage(page);
        return n + targetPageSize;
    }

    /**
     * Writes a PAGE record, queuing the page for the writer's next batched gathering write.
     *
     * @param block the page's block
     * @param offset the page's offset in the block, page aligned
     * @param windows the views over the block's memory
     * @return bytes written
     */
    public int writePage(RamBlock block, long offset, BlockWindows windows) {
        int n = header(block, offset, RamRecordDescriptor.FLAG_PAGE);
        out.putPage(windows, offset, targetPageSize);
        return n + targetPageSize;
    }

    /**
     * Writes an XBZRLE record ({@code save_xbzrle_page}).
     *
     * @param block the page's block
     * @param offset the page's offset in the block, page aligned
     * @param encoded the encoded delta, at most a page; its position advances
     * @return bytes written
     */
    public int writeXbzrlePage(RamBlock block, long offset, ByteBuffer encoded) {
        int length = encoded.remaining();
        if (length > targetPageSize) {
            throw new IllegalArgumentException("XBZRLE data of " + length + " bytes exceeds a page");
        }
        int n = header(block, offset, RamRecordDescriptor.FLAG_XBZRLE);
        out.put8(RamRecordDescriptor.XBZRLE_ENCODING_FLAG);
        out.put16(length);
        out.putBytes(encoded);
        return n + RamRecordDescriptor.XBZRLE_HEADER_LENGTH + length;
    }

    /**
     * Writes a COMPRESS_PAGE record (legacy {@code compress}).
     *
     * @param block the page's block
     * @param offset the page's offset in the block, page aligned
     * @param compressed one complete zlib stream for the page; its position advances
     * @return bytes written
     */
    public int writeCompressedPage(RamBlock block, long offset, ByteBuffer compressed) {
        int length = compressed.remaining();
        int n = header(block, offset, RamRecordDescriptor.FLAG_COMPRESS_PAGE);
        out.put32(length);
        out.putBytes(compressed);
        return n + RamRecordDescriptor.COMPRESS_HEADER_LENGTH + length;
    }

    /**
     * Whether a page record for {@code block} would carry CONTINUE now: the previous page record
     * on this channel was for the same block. Legacy {@code compress} hands only such pages to its
     * threads, whose records are encoded elsewhere with CONTINUE and no name.
     *
     * @param block a block
     * @return true if it is the block of the last page record
     */
    public boolean continues(RamBlock block) {
        return block != null && block == lastBlock;
    }

    /**
     * Writes a page record encoded elsewhere (a {@code compress} thread's ZERO or COMPRESS_PAGE
     * record, QEMU's {@code qemu_put_qemu_file}). Such a record carries CONTINUE, so it is only
     * valid while {@code block} is still the last block on this channel.
     *
     * @param block the block the record is for
     * @param record the whole record, header word included; its position advances
     * @return bytes written
     * @throws IllegalStateException if another block's record was written since
     */
    public int writeContinuedRecord(RamBlock block, ByteBuffer record) {
        if (!continues(block)) {
            throw new IllegalStateException("a CONTINUE record for block " + block.name()
                    + " after a record of another block");
        }
        int n = record.remaining();
        out.putBytes(record);
        return n;
    }

    /**
     * Latches an error on the channel's stream ({@code qemu_file_set_error}): later writes do
     * nothing and the engine's next check of the stream fails the migration with it.
     *
     * @param e the error
     */
    public void fail(java.io.IOException e) {
        out.fail(e);
    }

    /**
     * Writes the EOS record that ends the section's RAM data.
     *
     * @return bytes written
     */
    public int writeEos() {
        out.put64(RamRecordDescriptor.EOS_WORD);
        return RamRecordDescriptor.HEADER_WORD_LENGTH;
    }

    private int header(RamBlock block, long offset, int flag) {
        if ((offset & (targetPageSize - 1)) != 0 || offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is not page aligned");
        }
        if (block == lastBlock) {
            out.put64(RamRecordDescriptor.word(offset, flag | RamRecordDescriptor.FLAG_CONTINUE));
            return RamRecordDescriptor.HEADER_WORD_LENGTH;
        }
        byte[] name = name(block);
        out.put64(RamRecordDescriptor.word(offset, flag));
        out.putCountedString(name);
        lastBlock = block;
        return RamRecordDescriptor.pageHeaderLength(false, name.length);
    }

    private byte[] name(RamBlock block) {
        return names.computeIfAbsent(block, b -> b.name().getBytes(StandardCharsets.UTF_8));
    }
}
