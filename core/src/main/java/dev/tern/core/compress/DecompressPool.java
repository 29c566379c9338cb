package dev.tern.core.compress;

import dev.tern.core.stream.RamPageDecoder;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.xbzrle.XbzrleDecoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The destination's legacy {@code compress} threads (QEMU 7.2
 * {@code compress_threads_load_setup}, {@code decompress_data_with_multi_threads},
 * {@code wait_for_decompress_done}, spec 9.1), as the {@link RamPageDecoder} of a destination
 * with the {@code compress} capability on.
 *
 * <p>For each COMPRESS_PAGE record the loader waits for an idle worker, copies the compressed
 * bytes into its buffer and lets it inflate into the guest page, then reads on. At every RAM EOS
 * it waits for all workers, so a section's pages are in guest memory when it ends, and a failed
 * page ("decompress data failed", always checked as with QEMU's default
 * {@code decompress-error-check}) fails the load there at the latest.
 *
 * <p>Beyond QEMU: a page still being inflated is finished before anything else writes that page
 * (another compressed copy, a PAGE, ZERO or XBZRLE record of a later pass in the same section),
 * so a worker that falls behind can never put an old copy over a newer one.
 *
 * <p>XBZRLE records, which a destination decodes whatever its capabilities, are decoded here
 * synchronously, as {@code RamRecordReader} does without a decoder.
 *
 * <p>Used by the loading thread only; {@link #close()} after the load, whatever its outcome.
 */
public final class DecompressPool implements RamPageDecoder, AutoCloseable {
    private final int pageSize;
    private final int inputCapacity;
    private final DecompressWorker[] workers;
    private final IdleSignal idleSignal = new IdleSignal();
    private final ByteBuffer xbzrleView;
    private final MemorySegment xbzrleData;
    /** A segment over each reader window, for XBZRLE decoding in place. */
    private final Map<ByteBuffer, MemorySegment> windowSegments = new IdentityHashMap<>();
    private boolean closed;

    /**
     * Starts the threads ({@code compress_threads_load_setup}).
     *
     * @param threads {@code decompress-threads}, 1 to 255
     * @param pageSize the target page size
     * @throws IllegalArgumentException if threads is out of range
     */
    public DecompressPool(int threads, int pageSize) {
        if (threads < 1 || threads > 255) {
            throw new IllegalArgumentException("decompress-threads " + threads + " is not in 1..255");
        }
        this.pageSize = pageSize;
        this.inputCapacity = RamRecordDescriptor.compressBound(pageSize);
        this.workers = new DecompressWorker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new DecompressWorker("tern-decompress-" + i, idleSignal, pageSize, inputCapacity);
        }
        for (DecompressWorker w : workers) {
            w.start();
        }
        this.xbzrleView = ByteBuffer.allocateDirect(pageSize);
        this.xbzrleData = MemorySegment.ofBuffer(xbzrleView);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits for an idle worker, reads the compressed bytes into its buffer and starts it.
     *
     * @throws StreamFormatException "decompress data failed" if an earlier page failed,
     *     "Invalid compressed data length: %d" for a length over {@code compressBound(page)}
     */
    @Override
    public void loadCompressed(StreamReader in, int compressedLength, ByteBuffer page) throws IOException {
        if (compressedLength < 0 || compressedLength > inputCapacity) {
            throw StreamFormatException.invalidCompressedLength(compressedLength);
        }
        if (page.remaining() != pageSize) {
            throw new IllegalArgumentException("page view of " + page.remaining() + " bytes, expected " + pageSize);
        }
        awaitPage(page);
        DecompressWorker w = awaitIdleWorker();
        w.readInput(in, compressedLength);
        w.target(page);
        w.assign();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Decoded at once, after any inflate into the same page finished.
     *
     * @throws StreamFormatException "Failed to load XBZRLE page - decode error!" for a malformed delta
     */
    @Override
    public void loadXbzrle(StreamReader in, int encodedLength, ByteBuffer page) throws IOException {
        if (encodedLength < 0 || encodedLength > pageSize) {
            throw StreamFormatException.xbzrleLengthOverflow();
        }
        awaitPage(page);
        xbzrleView.clear().limit(encodedLength);
        in.readFully(xbzrleView);
        MemorySegment window = windowSegments.get(page);
        if (window == null) {
            window = MemorySegment.ofBuffer(page.duplicate().clear());
            windowSegments.put(page, window);
        }
        XbzrleDecoder.decode(xbzrleData, 0, encodedLength, window, page.position(), pageSize);
    }

    /** {@inheritDoc} Waits for the worker, if any, still inflating into this page. */
    @Override
    public void awaitPage(ByteBuffer page) {
        int start = page.position();
        for (DecompressWorker w : workers) {
            if (!w.idle() && w.targets(page, start)) {
                awaitIdle(w);
            }
        }
    }

    /**
     * {@inheritDoc} {@code wait_for_decompress_done}, then the check of every worker's pages.
     *
     * @throws StreamFormatException "decompress data failed" if a page of this section failed
     */
    @Override
    public void endOfSection() throws StreamFormatException {
        for (DecompressWorker w : workers) {
            awaitIdle(w);
        }
        for (DecompressWorker w : workers) {
            if (w.failed()) {
                throw CompressErrors.decompressDataFailed();
            }
        }
    }

    /** The first idle worker, after waiting for one; a failed one fails the load. */
    private DecompressWorker awaitIdleWorker() throws StreamFormatException {
        idleSignal.enter();
        try {
            while (true) {
                for (DecompressWorker w : workers) {
                    if (w.idle()) {
                        if (w.failed()) {
                            throw CompressErrors.decompressDataFailed();
                        }
                        return w;
                    }
                }
                idleSignal.park();
            }
        } finally {
            idleSignal.leave();
        }
    }

    private void awaitIdle(DecompressWorker w) {
        if (w.idle()) {
            return;
        }
        idleSignal.enter();
        try {
            while (!w.idle()) {
                idleSignal.park();
            }
        } finally {
            idleSignal.leave();
        }
    }

    /**
     * Ends and joins every thread once its page is done and frees the zlib states
     * ({@code compress_threads_load_cleanup}). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DecompressWorker w : workers) {
            w.stop();
        }
        for (DecompressWorker w : workers) {
            w.join();
            w.end();
        }
    }
}
