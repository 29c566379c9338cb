package dev.tern.core.dirty;

import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * The layout of one VMM write report in {@link VmmWriteLog}'s ring: a run of consecutive target
 * pages of one RAM block. Agrona's record header (length, type) precedes it; the payload starts
 * 8-byte aligned, so the {@code long} is aligned too.
 *
 * <pre>
 *   byte   0               4               8                              16
 *          +---------------+---------------+-------------------------------+
 *          | block (int)   | count (int)   | first page (long)             |
 *          +---------------+---------------+-------------------------------+
 *   block       index of the block in the log's block list
 *   count       number of pages, 1 .. Integer.MAX_VALUE
 *   first page  the first target page (4 KiB) of the run, within the block
 * </pre>
 *
 * Native byte order: producer and consumer share one process. With the 8-byte header a record
 * takes {@link #RECORD_BYTES} bytes of ring.
 */
final class WriteRecordDescriptor {
    /** Agrona message type of a write report (Agrona reserves type ids below 1). */
    static final int MSG_TYPE_ID = 1;

    /** Offset of the block index. */
    static final int BLOCK_OFFSET = 0;

    /** Offset of the page count. */
    static final int COUNT_OFFSET = 4;

    /** Offset of the first page. */
    static final int FIRST_PAGE_OFFSET = 8;

    /** Payload bytes of a record. */
    static final int LENGTH = 16;

    /** Ring bytes one record occupies: header plus payload, aligned. */
    static final int RECORD_BYTES =
            (RecordDescriptor.HEADER_LENGTH + LENGTH + RecordDescriptor.ALIGNMENT - 1) & -RecordDescriptor.ALIGNMENT;

    /** The most pages one record can carry; longer runs take several records. */
    static final long MAX_PAGES = Integer.MAX_VALUE;

    private WriteRecordDescriptor() {
    }
}
