package dev.tern.core.compress;

import dev.tern.core.stream.StreamReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One decompression thread ({@code do_data_decompress}, spec 9.1): inflates one COMPRESS_PAGE
 * record's zlib stream straight into the guest page.
 *
 * <p>The page is written through the worker's own view of the block's window, framed on exactly
 * that page, so the worker can never write outside it. The zlib stream must end, with its
 * Adler-32 checked, after exactly one page of output; anything else is "decompress data failed".
 *
 * <p>The Inflater and the input buffer are made once; a view per block window is made the first
 * time a page of that window arrives. Nothing is allocated per page.
 */
final class DecompressWorker extends PageWorker {
    /** A zlib stream that needs more inflate calls than this after filling the page is malformed. */
    private static final int MAX_INFLATE_CALLS = 4;

    private final int pageSize;
    private final Inflater inflater = new Inflater();
    private final ByteBuffer input;
    /** This worker's own views of the reader's windows, keyed by the window (owner thread only). */
    private final Map<ByteBuffer, ByteBuffer> views = new IdentityHashMap<>();

    // The job: written by the owner while idle, read by the thread while assigned.
    private ByteBuffer target;
    private ByteBuffer targetWindow;
    private int targetStart;
    // The result: written by the thread, read by the owner once idle. Sticky.
    private boolean failed;

    /**
     * A worker, not started.
     *
     * @param name the thread's name
     * @param idleSignal woken when it becomes idle
     * @param pageSize the target page size
     * @param inputCapacity the largest compressed page, {@code compressBound(pageSize)}
     */
    DecompressWorker(String name, IdleSignal idleSignal, int pageSize, int inputCapacity) {
        super(name, idleSignal);
        this.pageSize = pageSize;
        this.input = ByteBuffer.allocateDirect(inputCapacity);
    }

    /**
     * Reads the next compressed page from the stream into this worker's buffer (owner thread,
     * while idle).
     *
     * @param in the stream
     * @param length the compressed length, at most the capacity
     * @throws IOException if the stream fails or ends
     */
    void readInput(StreamReader in, int length) throws IOException {
        input.clear().limit(length);
        in.readFully(input);
        input.flip();
    }

    /**
     * Sets the page to inflate into (owner thread, while idle).
     *
     * @param page the reader's window, framed on the page; not kept
     */
    void target(ByteBuffer page) {
        ByteBuffer view = views.get(page);
        if (view == null) {
            view = page.duplicate();
            views.put(page, view);
        }
        view.clear();
        view.limit(page.limit());
        view.position(page.position());
        target = view;
        targetWindow = page;
        targetStart = page.position();
    }

    /**
     * Whether this worker's current or last job writes the given page (owner thread).
     *
     * @param window the reader's window holding the page
     * @param start the page's position in it
     * @return true if it is the same page
     */
    boolean targets(ByteBuffer window, int start) {
        return targetWindow == window && targetStart == start;
    }

    /**
     * Whether a job of this worker failed (owner thread, while idle).
     *
     * @return true once one did
     */
    boolean failed() {
        return failed;
    }

    @Override
    protected void process() {
        try {
            if (!inflateOnePage()) {
                failed = true;
            }
        } catch (DataFormatException | RuntimeException e) {
            failed = true;
        }
    }

    /** {@code qemu_uncompress_data}: inflateReset, then inflate to the stream's end. */
    private boolean inflateOnePage() throws DataFormatException {
        Inflater z = inflater;
        z.reset();
        z.setInput(input);
        ByteBuffer out = target;
        for (int calls = 0; calls < MAX_INFLATE_CALLS && !z.finished(); calls++) {
            z.inflate(out);
            if (z.needsInput() || z.needsDictionary()) {
                break;
            }
        }
        return z.finished() && z.getBytesWritten() == pageSize && !out.hasRemaining();
    }

    /** Frees the Inflater's native state; call after the thread ended. */
    void end() {
        inflater.end();
    }
}
