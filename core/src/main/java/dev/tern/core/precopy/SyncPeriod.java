package dev.tern.core.precopy;

/**
 * The "period" between dirty-bitmap syncs that QEMU's rates and auto-converge are computed over
 * ({@code migration_bitmap_sync}, spec 5.3 and 6.1): it opens at a sync, and closes at the first
 * later sync that comes more than 1000 ms after it opened. Owned by the migration thread.
 */
final class SyncPeriod {
    /** A period closes only at a sync more than this long after it opened. */
    static final long MIN_PERIOD_MILLIS = 1000;

    private boolean open;
    private long startMillis;
    private long dirtyPages;
    private long transferredAtStart;

    /**
     * Records one sync's newly dirtied pages; closes the period if it is old enough.
     *
     * @param nowMillis the time of the sync
     * @param newlyDirty pages the sync found dirty that were not dirty before
     * @param transferred {@code ram.transferred} now
     * @return the closed period, or null while it stays open
     */
    Closed sync(long nowMillis, long newlyDirty, long transferred) {
        if (!open) {
            open = true;
            startMillis = nowMillis;
            dirtyPages = 0;
            transferredAtStart = transferred;
        }
        dirtyPages += newlyDirty;
        long elapsed = nowMillis - startMillis;
        if (elapsed <= MIN_PERIOD_MILLIS) {
            return null;
        }
        Closed closed = new Closed(elapsed, dirtyPages, transferred - transferredAtStart);
        startMillis = nowMillis;
        dirtyPages = 0;
        transferredAtStart = transferred;
        return closed;
    }

    /**
     * A closed period.
     *
     * @param millis its length
     * @param dirtyPages pages newly dirtied in it
     * @param transferredBytes RAM bytes transferred in it
     */
    record Closed(long millis, long dirtyPages, long transferredBytes) {
        /**
         * {@code dirty-pages-rate}: pages dirtied per second.
         *
         * @return pages per second
         */
        long dirtyPagesRate() {
            return dirtyPages * 1000 / millis;
        }
    }
}
