package dev.tern.core.precopy;

/**
 * The source's 100 ms accounting window (QEMU's {@code migration_update_counters} and
 * {@code qemu_file_rate_limit}, spec 5.7): the per-window byte budget of {@code max-bandwidth},
 * and, each time a window of at least 100 ms closes, the measured bandwidth, the convergence
 * threshold {@code bandwidth × downtime-limit}, the throughput in Mbit/s and the page rate.
 *
 * <p>Owned by the migration thread, except {@link #setMaxBandwidth}, which a
 * {@code migrate-set-parameters} on another thread calls so that a new limit applies at once.
 */
final class TransferWindow {
    /** QEMU's BUFFER_DELAY: the window length. */
    static final long WINDOW_MILLIS = 100;
    /** QEMU's XFER_LIMIT_RATIO: windows per second. */
    static final long WINDOWS_PER_SECOND = 1000 / WINDOW_MILLIS;
    /** Below this many bytes in a window, expected-downtime is not recomputed. */
    private static final long MIN_BYTES_FOR_EXPECTED_DOWNTIME = 10_000;

    private volatile long budget;
    private long windowStartMillis;
    private long windowStartBytes;
    private long windowStartQueued;
    private long windowStartPages;
    private long threshold;
    private double bandwidthBytesPerMilli;

    /**
     * Opens the first window.
     *
     * @param nowMillis the time
     * @param transferredBytes bytes that reached the channels so far
     * @param queuedBytes bytes queued on the main channel so far
     * @param pages pages sent so far
     */
    void start(long nowMillis, long transferredBytes, long queuedBytes, long pages) {
        windowStartMillis = nowMillis;
        windowStartBytes = transferredBytes;
        windowStartQueued = queuedBytes;
        windowStartPages = pages;
        threshold = 0;
    }

    /**
     * Sets the budget from {@code max-bandwidth} (bytes per second, unsigned): a tenth of it per
     * window, where a budget of 0 — any value below 10 B/s — means unlimited (QEMU's quirk).
     *
     * @param bytesPerSecond the new limit
     */
    void setMaxBandwidth(long bytesPerSecond) {
        budget = Long.divideUnsigned(bytesPerSecond, WINDOWS_PER_SECOND);
    }

    /** Removes the limit, as the completion phase does. */
    void unlimited() {
        budget = 0;
    }

    /**
     * Whether the window's budget is spent.
     *
     * @param queuedBytes bytes queued on the main channel so far
     * @return true if more than the budget was queued in this window
     */
    boolean limited(long queuedBytes) {
        long b = budget;
        return b > 0 && queuedBytes - windowStartQueued > b;
    }

    /**
     * Closes the window if 100 ms have passed, recomputing the figures.
     *
     * @param nowMillis the time
     * @param transferredBytes bytes that reached the channels so far (QEMU flushes first)
     * @param queuedBytes bytes queued on the main channel so far
     * @param pages pages sent so far (normal, zero, compressed and XBZRLE)
     * @param downtimeLimitMillis the current {@code downtime-limit}
     * @return the closed window's figures, or null if the window is still open
     */
    Closed update(long nowMillis, long transferredBytes, long queuedBytes, long pages, long downtimeLimitMillis) {
        long elapsed = nowMillis - windowStartMillis;
        if (elapsed < WINDOW_MILLIS) {
            return null;
        }
        long bytes = transferredBytes - windowStartBytes;
        bandwidthBytesPerMilli = (double) bytes / elapsed;
        threshold = (long) (bandwidthBytesPerMilli * downtimeLimitMillis);
        double mbps = bytes * 8.0 / elapsed / 1000.0;
        long pagesPerSecond = (long) ((pages - windowStartPages) * 1000.0 / elapsed);
        windowStartMillis = nowMillis;
        windowStartBytes = transferredBytes;
        windowStartQueued = queuedBytes;
        windowStartPages = pages;
        return new Closed(bytes, elapsed, bandwidthBytesPerMilli, threshold, mbps, pagesPerSecond);
    }

    /**
     * Expected downtime in ms for the remaining data, or -1 when QEMU would keep the old value.
     *
     * @param closed the window just closed
     * @param dirtyPagesRate the current {@code dirty-pages-rate}
     * @param remainingAtLastSync bytes dirty at the last sync
     * @return the estimate, or -1
     */
    static long expectedDowntime(Closed closed, long dirtyPagesRate, long remainingAtLastSync) {
        if (dirtyPagesRate == 0 || closed.bytes() <= MIN_BYTES_FOR_EXPECTED_DOWNTIME
                || closed.bandwidthBytesPerMilli() <= 0) {
            return -1;
        }
        return (long) (remainingAtLastSync / closed.bandwidthBytesPerMilli());
    }

    /**
     * Milliseconds until the current window ends (the rate-limited thread sleeps that long).
     *
     * @param nowMillis the time
     * @return at least 0
     */
    long millisToWindowEnd(long nowMillis) {
        return Math.max(0, windowStartMillis + WINDOW_MILLIS - nowMillis);
    }

    /**
     * The convergence threshold: {@code bandwidth × downtime-limit} of the last closed window,
     * 0 before the first window closed.
     *
     * @return bytes
     */
    long threshold() {
        return threshold;
    }

    /**
     * The bandwidth of the last closed window.
     *
     * @return bytes per millisecond
     */
    double bandwidthBytesPerMilli() {
        return bandwidthBytesPerMilli;
    }

    /**
     * The figures of one closed window.
     *
     * @param bytes bytes transferred in the window
     * @param millis the window's length
     * @param bandwidthBytesPerMilli bytes per millisecond
     * @param threshold the new convergence threshold in bytes
     * @param mbps megabits per second
     * @param pagesPerSecond pages sent per second
     */
    record Closed(long bytes, long millis, double bandwidthBytesPerMilli, long threshold, double mbps,
            long pagesPerSecond) {
    }
}
