package dev.tern.core.precopy;

import dev.tern.core.stats.MigrationCounters;

/**
 * The compression half of QEMU's {@code migration_update_rates} (spec 4.4): at every dirty sync
 * that closes a period, {@code busy-rate} and {@code compression-rate} over that period. Owned by
 * the migration thread.
 *
 * <p>As for XBZRLE ({@link XbzrleRates}), a period in which no page was written changes nothing.
 * {@code busy-rate} is the busy delta over the pages written; {@code compression-rate} is the
 * compressed pages' size (pages × page size) over their compressed size, and both it and its
 * baselines change only when the compressed size grew, so a period without compressed pages
 * keeps the last rate and the next period's deltas include it.
 */
final class CompressRates {
    private final MigrationCounters counters;
    private final long pageSize;
    private long pagesWrittenPrev;
    private long busyPrev;
    private long pagesPrev;
    private long sizePrev;

    /**
     * Rates over periods from now on.
     *
     * @param counters the statistics (compression counters read, rates written)
     * @param pageSize the target page size
     * @param pagesWritten {@code target_page_count} now
     */
    CompressRates(MigrationCounters counters, long pageSize, long pagesWritten) {
        this.counters = counters;
        this.pageSize = pageSize;
        this.pagesWrittenPrev = pagesWritten;
        this.busyPrev = counters.compressionBusy();
        this.pagesPrev = counters.compressedPages();
        this.sizePrev = counters.compressedSize();
    }

    /**
     * A period closed: sets the rates over it.
     *
     * @param pagesWritten {@code target_page_count} now
     */
    void periodClosed(long pagesWritten) {
        long written = pagesWritten - pagesWrittenPrev;
        pagesWrittenPrev = pagesWritten;
        if (written == 0) {
            return;
        }
        long busy = counters.compressionBusy();
        counters.setCompressionBusyRate((double) (busy - busyPrev) / written);
        busyPrev = busy;
        long size = counters.compressedSize();
        long sizeDelta = size - sizePrev;
        if (sizeDelta != 0) {
            long pages = counters.compressedPages();
            counters.setCompressionRate((double) ((pages - pagesPrev) * pageSize) / sizeDelta);
            pagesPrev = pages;
            sizePrev = size;
        }
    }
}
