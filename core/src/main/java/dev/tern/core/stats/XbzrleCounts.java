package dev.tern.core.stats;

import dev.tern.api.info.XbzrleCacheStats;

/**
 * The XBZRLE counters of one {@link MigrationCounters#snapshot()} (spec §4.3). They accumulate
 * over every migration of the process: QEMU never resets {@code xbzrle_counters}.
 *
 * @param bytes {@code bytes}: encoded record bytes without the address word, plus a page per overflow
 * @param pages {@code pages}: pages that hit the cache
 * @param cacheMiss {@code cache-miss}: pages looked up and not found
 * @param cacheMissRate {@code cache-miss-rate} of the last period
 * @param encodingRate {@code encoding-rate} of the last period
 * @param overflow {@code overflow}: pages whose encoding did not fit
 */
public record XbzrleCounts(long bytes, long pages, long cacheMiss, double cacheMissRate, double encodingRate, long overflow) {

    /**
     * The QAPI {@code xbzrle-cache} member.
     *
     * @param cacheSize the current {@code xbzrle-cache-size} parameter (QEMU reports the
     *     parameter, not the size of the live cache)
     * @return the statistics
     */
    public XbzrleCacheStats toStats(long cacheSize) {
        return new XbzrleCacheStats(cacheSize, bytes, pages, cacheMiss, cacheMissRate, encodingRate, overflow);
    }
}
