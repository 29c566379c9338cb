package dev.tern.core.dirty;

import dev.tern.api.DirtyPageReporter;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Pages the VMM wrote itself (device emulation), which KVM's dirty log does not see: the engine's
 * {@link dev.tern.api.MigrationControl#vmmWrites()}. Device threads report through
 * {@link #written}; the migration thread moves the reports into its bitmaps with
 * {@link #drainInto} before each sync.
 *
 * <p><b>The queue.</b> A report is one 16-byte record (block, page count, first page; see
 * {@link WriteRecordDescriptor}) claimed and committed in place in an Agrona
 * {@link ManyToOneRingBuffer}: one CAS on the ring's tail, no boxing, no allocation, and a
 * multi-page write costs the same as a one-page one.
 *
 * <p><b>A full ring loses nothing.</b> When the ring has no room, the report goes into the
 * block's {@link OverflowBitmap} instead: the previous implementation's whole mechanism, an
 * atomic OR on a per-block bitmap (now one per word the run touches, not one per page), with a
 * flag that tells the drainer to look there. Under sustained overload the log thus degrades to
 * the bitmap it used to be, never to losing pages.
 *
 * <p><b>Draining one block at a time.</b> The engine asks per block, but the ring holds every
 * block's reports in arrival order. A drain therefore empties the ring into per-block pending
 * bitmaps ({@link PendingWrites}), adds the block's overflow bitmap, and hands over that block's
 * pending bits; the other blocks' bits wait for their own call in the same sync.
 *
 * <p><b>When no migration runs</b> nobody drains: the ring fills, and from then on every report
 * lands in the overflow bitmaps, which keep at most one bit per page however long the VM runs.
 * The next migration's first sync drains both, and its first pass sends every page anyway, so
 * these stale reports cost one drain and no extra page.
 *
 * <p><b>Ordering.</b> A device writes guest memory and then reports. The ring's commit is a
 * release store that the drain reads with acquire semantics, and the overflow bitmap is accessed
 * with volatile operations only (see {@link OverflowBitmap} for why that matters), so a drain
 * that sees a report also sees the memory written before it. A report whose
 * {@code written} call returned before a drain began is in that drain, with one exception: the
 * ring is read in claim order, so a report committed behind a record another thread has claimed
 * but not yet committed (a few stores, visible only if that thread is descheduled between them)
 * waits for the next drain. No report is lost that way; it is only late, and the last sync runs
 * with the VM and its devices stopped, when no report is in flight.
 *
 * <p>The reporting side is lock-free and allocation-free. {@link #drainInto} belongs to one
 * thread at a time (the migration thread) and allocates nothing either.
 */
public final class VmmWriteLog implements DirtyPageReporter {
    /**
     * Ring bytes when the caller does not choose: about 2,700 reports between two drains. A small
     * ring stays in cache (single-page reports measured 17-23 ns at 16-64 KiB against 34 ns at
     * 1 MiB); reports beyond it take the overflow bitmap, which loses nothing.
     */
    public static final int DEFAULT_RING_BYTES = 1 << 16;

    /** The smallest ring whose records fit Agrona's limit of a message per eighth of the ring. */
    public static final int MIN_RING_BYTES = 8 * WriteRecordDescriptor.LENGTH;

    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Records per {@code read} call; the drain loops until it reaches the tail it saw first. */
    private static final int READ_BATCH = 4096;

    private final Map<RamBlock, Reported> blocks = new IdentityHashMap<>();
    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer ringBuffer;
    /** The ring's read handler: a field, so that draining allocates no lambda per call. */
    private final RecordApplier applier;

    /**
     * Creates the log for a fixed set of blocks with a {@link #DEFAULT_RING_BYTES} ring.
     *
     * @param blocks the guest's RAM blocks
     */
    public VmmWriteLog(List<RamBlock> blocks) {
        this(blocks, DEFAULT_RING_BYTES);
    }

    /**
     * Creates the log for a fixed set of blocks.
     *
     * @param blocks the guest's RAM blocks
     * @param ringBytes the ring's capacity in bytes: a power of two, at least
     *     {@link #MIN_RING_BYTES}; each report takes 24 bytes
     * @throws IllegalArgumentException if {@code ringBytes} is not such a power of two, or a
     *     block is listed twice
     */
    public VmmWriteLog(List<RamBlock> blocks, int ringBytes) {
        if (ringBytes < MIN_RING_BYTES || !BitUtil.isPowerOfTwo(ringBytes)) {
            throw new IllegalArgumentException("ring capacity " + ringBytes
                    + " is not a power of two of at least " + MIN_RING_BYTES + " bytes");
        }
        PendingWrites[] pending = new PendingWrites[blocks.size()];
        for (int i = 0; i < pending.length; i++) {
            RamBlock block = Objects.requireNonNull(blocks.get(i), "block");
            long bytes = block.memory().byteSize();
            long pages = (bytes + PAGE_SIZE - 1) >>> PAGE_SHIFT;
            Reported reported = new Reported(i, bytes, pages);
            if (this.blocks.put(block, reported) != null) {
                throw new IllegalArgumentException("RAM block " + block.name() + " is listed twice");
            }
            pending[i] = reported.pending;
        }
        // Cache-line aligned: the ring's head and tail counters live in the trailer and are
        // padded to their own lines on that assumption.
        this.ringBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                ringBytes + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        this.ring = new ManyToOneRingBuffer(ringBuffer);
        this.applier = new RecordApplier(pending);
    }

    /**
     * Marks a byte range of a block dirty ({@link DirtyPageReporter#written}). Safe from any
     * number of threads at once; never blocks, never allocates.
     *
     * @param block the block written, one of this log's
     * @param offset the first byte written, within {@code block.memory()}
     * @param length the number of bytes written; nothing is marked when 0 or less
     * @throws IllegalArgumentException if the block is not one of this log's
     * @throws IndexOutOfBoundsException if the range leaves the block's memory
     */
    @Override
    public void written(RamBlock block, long offset, long length) {
        Reported reported = blocks.get(Objects.requireNonNull(block, "block"));
        if (reported == null) {
            throw new IllegalArgumentException("RAM block " + block.name() + " does not belong to this guest");
        }
        if (length <= 0) {
            return;
        }
        // Written as a subtraction so that a huge length cannot overflow past the check.
        if (offset < 0 || offset > reported.bytes || length > reported.bytes - offset) {
            throw new IndexOutOfBoundsException("write of " + length + " bytes at " + offset
                    + " outside RAM block " + block.name());
        }
        long first = offset >>> PAGE_SHIFT;
        long remaining = ((offset + length - 1) >>> PAGE_SHIFT) - first + 1;
        while (remaining > 0) {
            int count = (int) Math.min(remaining, WriteRecordDescriptor.MAX_PAGES);
            if (!offer(reported.index, first, count)) {
                reported.overflow.markRange(first, count);
            }
            first += count;
            remaining -= count;
        }
    }

    /** Claims a record, fills it in place and commits it; false if the ring is full. */
    private boolean offer(int block, long first, int count) {
        int index = ring.tryClaim(WriteRecordDescriptor.MSG_TYPE_ID, WriteRecordDescriptor.LENGTH);
        if (index < 0) {
            return false;
        }
        UnsafeBuffer buffer = ringBuffer;
        buffer.putInt(index + WriteRecordDescriptor.BLOCK_OFFSET, block);
        buffer.putInt(index + WriteRecordDescriptor.COUNT_OFFSET, count);
        buffer.putLong(index + WriteRecordDescriptor.FIRST_PAGE_OFFSET, first);
        // Release store of the record length: publishes the fields above, and the guest memory
        // the caller wrote before reporting.
        ring.commit(index);
        return true;
    }

    /**
     * Moves the reported pages of a block into {@code target} (OR) and clears them here. Empties
     * the whole ring on the way (other blocks' reports wait in their pending bitmaps for their
     * own call). Only one thread may drain at a time.
     *
     * <p>Pages at or beyond the block's {@link RamBlock#usedLength()}, or beyond what
     * {@code target} holds, are not moved: they stay here for a later drain.
     *
     * @param block the block, one of this log's
     * @param target receives the bits: little-endian 64-bit words, bit {@code i} = page
     *     {@code i}; any alignment
     * @return the number of pages that were not yet set in {@code target}
     * @throws IllegalArgumentException if the block is not one of this log's
     */
    public long drainInto(RamBlock block, MemorySegment target) {
        Reported reported = blocks.get(Objects.requireNonNull(block, "block"));
        if (reported == null) {
            throw new IllegalArgumentException("RAM block " + block.name() + " does not belong to this guest");
        }
        drainRing();
        reported.overflow.drainInto(reported.pending);
        long usedPages = (block.usedLength() + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        long limit = Math.min(Math.min(usedPages, reported.pending.pages()), target.byteSize() << 3);
        return reported.pending.moveInto(target, limit);
    }

    /**
     * Reads the ring up to the tail it sees at the start, so that producers that keep reporting
     * cannot keep the drain going for ever; stops early at a record still being written.
     */
    private void drainRing() {
        ManyToOneRingBuffer local = ring;
        long end = local.producerPosition();
        long head = local.consumerPosition();
        while (head < end) {
            // One read stops at the end of the buffer; the loop continues past the wrap.
            local.read(applier, READ_BATCH);
            long now = local.consumerPosition();
            if (now == head) {
                // An earlier claim is not committed yet: what follows it waits for the next drain.
                return;
            }
            head = now;
        }
    }

    /**
     * Whether reports of a block went to its overflow bitmap since its last drain. For tests.
     *
     * @param block the block
     * @return true if the ring was full for some report of the block
     */
    boolean overflowed(RamBlock block) {
        return blocks.get(block).overflow.marked();
    }

    /** One block's state. */
    private static final class Reported {
        final int index;
        final long bytes;
        final OverflowBitmap overflow;
        final PendingWrites pending;

        Reported(int index, long bytes, long pages) {
            this.index = index;
            this.bytes = bytes;
            this.overflow = new OverflowBitmap(pages);
            this.pending = new PendingWrites(pages);
        }
    }

    /** Applies ring records to the pending bitmaps; runs on the draining thread. */
    private static final class RecordApplier implements MessageHandler {
        private final PendingWrites[] pending;

        RecordApplier(PendingWrites[] pending) {
            this.pending = pending;
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            if (msgTypeId != WriteRecordDescriptor.MSG_TYPE_ID || length != WriteRecordDescriptor.LENGTH) {
                throw new IllegalStateException("VMM write ring holds a record of type " + msgTypeId
                        + " and length " + length + ", not a write report");
            }
            int block = buffer.getInt(index + WriteRecordDescriptor.BLOCK_OFFSET);
            int count = buffer.getInt(index + WriteRecordDescriptor.COUNT_OFFSET);
            long first = buffer.getLong(index + WriteRecordDescriptor.FIRST_PAGE_OFFSET);
            pending[block].setRange(first, count);
        }
    }
}
