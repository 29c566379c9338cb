package dev.tern.core.compress;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stats.TransferPhase;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.RamRecordWriter;
import java.nio.ByteBuffer;

/**
 * The source's legacy {@code compress} threads (QEMU 7.2 {@code compress_threads_save_setup},
 * {@code compress_page_with_multi_thread}, {@code flush_compressed_data}, spec 9.1 and 4.4).
 *
 * <p>Hand-off: the first idle worker (scanning from the first) has its previous record copied to
 * the main stream and counted, then gets the new page. With none idle the page waits for one
 * ({@code compress-wait-thread} on) or counts as {@code busy} and goes the normal way.
 *
 * <p>Ordering: the records of different workers reach the stream in any order, which is only
 * safe for different pages of one block. Hence the rules the caller relies on: a page is handed
 * over only if its block is the block of the last record on the main stream (the records carry
 * CONTINUE); otherwise the pool flushes and the caller sends the page itself, naming its block.
 * And the caller flushes at the end of every pass over RAM (so an older copy of a page never
 * follows a newer one) and before every RAM EOS (so nothing crosses a section).
 *
 * <p>Accounting, when a record is collected: all its bytes to {@code transferred}; a ZERO record
 * adds to {@code duplicate}, a COMPRESS_PAGE record to compression {@code pages} and its bytes
 * minus the 8-byte header word to {@code compressed-size}. (QEMU 7.2 also counts a collection
 * that found no record, as a page of -8 bytes; Tern counts only pages that were compressed.)
 *
 * <p>Used by the migration thread only, except {@link #waitThread(boolean)}.
 */
public final class CompressPool implements AutoCloseable {
    private final CompressWorker[] workers;
    private final IdleSignal idleSignal = new IdleSignal();
    private final MigrationCounters counters;
    private volatile boolean waitThread;
    private boolean closed;

    /**
     * Starts the threads ({@code compress_threads_save_setup}, at migration setup).
     *
     * @param threads {@code compress-threads}, 1 to 255
     * @param level {@code compress-level}, 0 to 9
     * @param waitThread {@code compress-wait-thread}
     * @param pageSize the target page size
     * @param counters where the page and compression counters go
     * @throws IllegalArgumentException if threads or level are out of range
     */
    public CompressPool(int threads, int level, boolean waitThread, int pageSize, MigrationCounters counters) {
        if (threads < 1 || threads > 255) {
            throw new IllegalArgumentException("compress-threads " + threads + " is not in 1..255");
        }
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compress-level " + level + " is not in 0..9");
        }
        this.counters = counters;
        this.waitThread = waitThread;
        this.workers = new CompressWorker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new CompressWorker("tern-compress-" + i, idleSignal, pageSize, level);
        }
        for (CompressWorker w : workers) {
            w.start();
        }
    }

    /**
     * A live {@code compress-wait-thread} change (QEMU reads it at every page). Any thread.
     *
     * @param on whether a page waits for a busy pool
     */
    public void waitThread(boolean on) {
        this.waitThread = on;
    }

    /**
     * {@code save_compress_page}: hands the page to a worker if the rules allow.
     *
     * @param out the main stream's record writer
     * @param block the page's block
     * @param offset the page's offset in the block
     * @param phase where collected bytes count
     * @return true if a worker took the page; false if the caller must send it the normal way
     *     (first page of another block, after a flush; or no worker free without waiting, counted
     *     as {@code busy})
     */
    public boolean trySend(RamRecordWriter out, RamBlock block, long offset, TransferPhase phase) {
        if (!out.continues(block)) {
            // The page names its block uncompressed, so that every compressed record can use CONTINUE.
            flush(out, phase);
            return false;
        }
        while (true) {
            for (CompressWorker w : workers) {
                if (w.idle()) {
                    collect(out, w, phase);
                    w.job(block, offset);
                    w.assign();
                    return true;
                }
            }
            if (!waitThread) {
                counters.incrementCompressionBusy();
                return false;
            }
            awaitAnyIdle();
        }
    }

    /**
     * {@code flush_compressed_data}: waits for every worker and appends every pending record, in
     * worker order. A no-op when nothing is pending.
     *
     * @param out the main stream's record writer
     * @param phase where the bytes count
     */
    public void flush(RamRecordWriter out, TransferPhase phase) {
        idleSignal.enter();
        try {
            for (CompressWorker w : workers) {
                while (!w.idle()) {
                    idleSignal.park();
                }
            }
        } finally {
            idleSignal.leave();
        }
        for (CompressWorker w : workers) {
            collect(out, w, phase);
        }
    }

    private void awaitAnyIdle() {
        idleSignal.enter();
        try {
            while (!anyIdle()) {
                idleSignal.park();
            }
        } finally {
            idleSignal.leave();
        }
    }

    private boolean anyIdle() {
        for (CompressWorker w : workers) {
            if (w.idle()) {
                return true;
            }
        }
        return false;
    }

    /** {@code qemu_put_qemu_file} and {@code update_compress_thread_counts}. */
    private void collect(RamRecordWriter out, CompressWorker w, TransferPhase phase) {
        if (w.failed()) {
            // QEMU: qemu_file_set_error on the main file; the migration fails at its next check.
            out.fail(CompressErrors.compressedDataFailed());
        }
        ByteBuffer record = w.output();
        if (!record.hasRemaining()) {
            return;
        }
        boolean zero = w.zeroPage();
        int bytes = out.writeContinuedRecord(w.block(), record);
        w.collected();
        counters.addRamBytes(phase, bytes);
        if (zero) {
            counters.addDuplicatePages(1);
        } else {
            counters.addCompressedPages(1);
            counters.addCompressedSize(bytes - RamRecordDescriptor.HEADER_WORD_LENGTH);
        }
    }

    /**
     * Ends and joins every thread and frees the zlib states ({@code compress_threads_save_cleanup}),
     * at completion, failure or cancel. Pending records are dropped. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CompressWorker w : workers) {
            w.stop();
        }
        for (CompressWorker w : workers) {
            w.join();
            w.end();
        }
    }
}
