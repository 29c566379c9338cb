package dev.tern.core.precopy;

import dev.tern.core.stats.MigrationCounters;

/**
 * The XBZRLE half of QEMU's {@code migration_update_rates} (spec 4.3): at every dirty sync that
 * closes a period, {@code cache-miss-rate} and {@code encoding-rate} over that period. Owned by
 * the migration thread.
 *
 * <p>"Pages written" is QEMU's {@code target_page_count}: the pages the iterations reported,
 * which leaves out pages XBZRLE found unchanged and the completion's pages. A period in which
 * no page was written changes neither rate and keeps its XBZRLE baselines, so the next period's
 * deltas include it, as in QEMU.
 *
 * <p>The baselines start at the counters' values when the migration starts. QEMU starts them at
 * zero in a fresh {@code RAMState} while its XBZRLE counters run on over the process lifetime,
 * so its first period of a second migration divides every earlier migration's misses by this
 * period's pages; Tern keeps each period's rates about that period.
 */
final class XbzrleRates {
    private final MigrationCounters counters;
    private final long pageSize;
    private long pagesWrittenPrev;
    private long cacheMissPrev;
    private long pagesPrev;
    private long bytesPrev;

    /**
     * Rates over periods from now on.
     *
     * @param counters the statistics (XBZRLE counters read, rates written)
     * @param pageSize the target page size
     * @param pagesWritten {@code target_page_count} now
     */
    XbzrleRates(MigrationCounters counters, long pageSize, long pagesWritten) {
        this.counters = counters;
        this.pageSize = pageSize;
        this.pagesWrittenPrev = pagesWritten;
        this.cacheMissPrev = counters.xbzrleCacheMiss();
        this.pagesPrev = counters.xbzrlePages();
        this.bytesPrev = counters.xbzrleBytes();
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
        long miss = counters.xbzrleCacheMiss();
        long pages = counters.xbzrlePages();
        long bytes = counters.xbzrleBytes();
        counters.setXbzrleCacheMissRate((double) (miss - cacheMissPrev) / written);
        long encodedBytes = bytes - bytesPrev;
        counters.setXbzrleEncodingRate(pages == pagesPrev || encodedBytes == 0
                ? 0 : (double) ((pages - pagesPrev) * pageSize) / encodedBytes);
        cacheMissPrev = miss;
        pagesPrev = pages;
        bytesPrev = bytes;
    }
}
