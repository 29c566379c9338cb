package dev.tern.core.compress;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.ZeroPages;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * One compression thread ({@code do_data_compress} / {@code do_compress_ram_page}, spec 9.1):
 * turns one page into one complete record, ready for the main stream, in its private output
 * buffer.
 *
 * <p>An all-zero page becomes a ZERO record ({@code CONTINUE}, fill 0). Any other page is copied
 * first into a private buffer, because the guest may write it meanwhile and zlib must see one
 * consistent page, then deflated as an independent zlib stream (RFC 1950 header and Adler-32
 * trailer: the Deflater is reset per page) after the record's header word and a 4-byte length
 * slot. The record always carries {@code CONTINUE}: the pool only hands over pages of the block
 * of the last record on the main stream.
 *
 * <p>Off-heap buffers and the Deflater are made once; nothing is allocated per page.
 */
final class CompressWorker extends PageWorker {
    /** Header word, length slot, and zlib's worst case for a page. */
    static int outputCapacity(int pageSize) {
        return RamRecordDescriptor.HEADER_WORD_LENGTH + RamRecordDescriptor.COMPRESS_HEADER_LENGTH
                + RamRecordDescriptor.compressBound(pageSize);
    }

    private final int pageSize;
    private final Deflater deflater;
    private final ByteBuffer pageCopy;
    private final MemorySegment pageCopySegment;
    private final ByteBuffer output;

    // The job: written by the owner while idle, read by the thread while assigned.
    private RamBlock block;
    private long offset;
    // The result: written by the thread while assigned, read by the owner once idle.
    private boolean zeroPage;
    private boolean failed;

    /**
     * A worker, not started.
     *
     * @param name the thread's name
     * @param idleSignal woken when it becomes idle
     * @param pageSize the target page size
     * @param level {@code compress-level}, 0 to 9
     */
    CompressWorker(String name, IdleSignal idleSignal, int pageSize, int level) {
        super(name, idleSignal);
        this.pageSize = pageSize;
        this.deflater = new Deflater(level);
        this.pageCopy = ByteBuffer.allocateDirect(pageSize);
        this.pageCopySegment = MemorySegment.ofBuffer(pageCopy);
        this.output = ByteBuffer.allocateDirect(outputCapacity(pageSize));
        output.limit(0);
    }

    /**
     * Sets the next job (owner thread, while idle); {@link #assign()} starts it.
     *
     * @param block the page's block
     * @param offset the page's offset in the block
     */
    void job(RamBlock block, long offset) {
        this.block = block;
        this.offset = offset;
    }

    /**
     * The block of the record waiting in {@link #output()}.
     *
     * @return the block of the last job
     */
    RamBlock block() {
        return block;
    }

    /**
     * The finished record not yet collected (owner thread, while idle); empty if none.
     *
     * @return the buffer, framed on the record
     */
    ByteBuffer output() {
        return output;
    }

    /**
     * Whether the waiting record is a ZERO record (counted in {@code duplicate}).
     *
     * @return true for a zero page
     */
    boolean zeroPage() {
        return zeroPage;
    }

    /**
     * Whether the last job failed ("compressed data failed!").
     *
     * @return true if it did
     */
    boolean failed() {
        return failed;
    }

    /** Marks the waiting record as collected. */
    void collected() {
        output.limit(0);
    }

    @Override
    protected void process() {
        try {
            compress();
        } catch (RuntimeException e) {
            failed = true;
            output.limit(0);
        }
    }

    private void compress() {
        MemorySegment memory = block.memory();
        ByteBuffer o = output;
        o.clear();
        if (ZeroPages.isZero(memory, offset, pageSize)) {
            o.putLong(RamRecordDescriptor.word(offset, RamRecordDescriptor.FLAG_ZERO | RamRecordDescriptor.FLAG_CONTINUE));
            o.put((byte) 0);
            zeroPage = true;
            o.flip();
            return;
        }
        zeroPage = false;
        MemorySegment.copy(memory, offset, pageCopySegment, 0, pageSize);
        o.putLong(RamRecordDescriptor.word(offset,
                RamRecordDescriptor.FLAG_COMPRESS_PAGE | RamRecordDescriptor.FLAG_CONTINUE));
        int dataStart = RamRecordDescriptor.HEADER_WORD_LENGTH + RamRecordDescriptor.COMPRESS_HEADER_LENGTH;
        o.position(dataStart);
        deflater.reset();
        pageCopy.clear();
        deflater.setInput(pageCopy);
        deflater.finish();
        while (!deflater.finished() && o.hasRemaining()) {
            deflater.deflate(o);
        }
        if (!deflater.finished()) {
            failed = true;
            o.limit(0);
            return;
        }
        o.putInt(RamRecordDescriptor.HEADER_WORD_LENGTH, o.position() - dataStart);
        o.flip();
    }

    /** Frees the Deflater's native state; call after the thread ended. */
    void end() {
        deflater.end();
    }
}
