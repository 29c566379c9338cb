package dev.tern.core.stats;

import dev.tern.api.info.CompressionStats;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live statistics of the outgoing side (spec §4): QEMU's {@code ram_counters},
 * {@code compression_counters}, {@code xbzrle_counters} and the time, bandwidth and throttle
 * fields of {@code MigrationState}.
 *
 * <p>Concurrency, and why each kind of field is what it is:
 * <ul>
 *   <li><b>Additive counters</b> ({@code transferred}, page counts, byte counts, XBZRLE and
 *       compression counts) are {@link LongAdder}s. They are bumped per page or per packet by the
 *       migration thread, the multifd sender threads, the compression threads and the return-path
 *       thread at once, and read only when someone asks (a {@code query-migrate}, a bandwidth
 *       window every ≥100 ms). A {@code LongAdder} spreads contended writers over cells, so no
 *       writer waits on another's cache line; its slower {@code sum()} is paid only by the rare
 *       reader.</li>
 *   <li><b>{@code dirty-sync-count}</b> is an {@link AtomicLong}: the synchronising thread needs
 *       the value after its own increment for {@code MIGRATION_PASS}, which a {@code LongAdder}
 *       cannot give atomically. It changes once per bitmap sync, so contention is nil.</li>
 *   <li><b>Gauges</b> (rates, mbps, times, throttle percentage) are {@code volatile} fields: they
 *       are overwritten, not accumulated, at most once per window by one thread, and a reader
 *       needs only the latest value.</li>
 * </ul>
 * A snapshot reads the fields one by one, as QEMU does; it is not atomic as a whole.
 *
 * <p>{@link #reset()} ({@code migrate_init}) must run while no engine thread updates the
 * counters, which is the case before a new migration's threads start: {@link LongAdder#reset()}
 * is only exact without concurrent updates.
 */
public final class MigrationCounters {
    private final long pageSize;
    private final InstantSource clock;

    // ram_counters (reset by migrate_init)
    private final LongAdder transferred = new LongAdder();
    private final LongAdder duplicate = new LongAdder();
    private final LongAdder normal = new LongAdder();
    private final LongAdder postcopyRequests = new LongAdder();
    private final LongAdder multifdBytes = new LongAdder();
    private final LongAdder precopyBytes = new LongAdder();
    private final LongAdder downtimeBytes = new LongAdder();
    private final LongAdder postcopyBytes = new LongAdder();
    private final LongAdder dirtySyncMissedZeroCopy = new LongAdder();
    private final AtomicLong dirtySyncCount = new AtomicLong();
    private volatile long dirtyPagesRate;
    private volatile double mbps;
    private volatile long pagesPerSecond;

    // compression_counters (reset by migrate_init)
    private final LongAdder compressedPages = new LongAdder();
    private final LongAdder compressionBusy = new LongAdder();
    private final LongAdder compressedSize = new LongAdder();
    private volatile double compressionBusyRate;
    private volatile double compressionRate;

    // xbzrle_counters (never reset)
    private final LongAdder xbzrleBytes = new LongAdder();
    private final LongAdder xbzrlePages = new LongAdder();
    private final LongAdder xbzrleCacheMiss = new LongAdder();
    private final LongAdder xbzrleOverflow = new LongAdder();
    private volatile double xbzrleCacheMissRate;
    private volatile double xbzrleEncodingRate;

    // MigrationState time fields and the vCPU throttle (reset by migrate_init)
    private volatile long startTime;
    private volatile long totalTime;
    private volatile long setupTime;
    private volatile long downtime;
    private volatile long downtimeStart;
    private volatile long expectedDowntime;
    private volatile long cpuThrottlePercentage;

    /**
     * Creates zeroed counters; the start time is the creation time until the first
     * {@link #reset()}.
     *
     * @param pageSize the target page size ({@code page-size}, and the factor of {@code normal-bytes})
     * @param clock the real-time clock of {@code start-time}, {@code total-time} and downtime
     * @throws IllegalArgumentException if {@code pageSize} is not positive
     * @throws NullPointerException if {@code clock} is null
     */
    public MigrationCounters(long pageSize, InstantSource clock) {
        if (pageSize <= 0) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        this.pageSize = pageSize;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startTime = clock.millis();
    }

    /**
     * The target page size these counters report.
     *
     * @return bytes per page
     */
    public long pageSize() {
        return pageSize;
    }

    /**
     * {@code migrate_init} (and the internal {@code savevm}): zeroes the RAM and compression
     * counters, the bandwidth figures and the time fields, and records the start time. The
     * XBZRLE counters are left alone: QEMU accumulates them over the process lifetime (spec §16
     * item 7). Call only while no engine thread updates the counters.
     */
    public void reset() {
        transferred.reset();
        duplicate.reset();
        normal.reset();
        postcopyRequests.reset();
        multifdBytes.reset();
        precopyBytes.reset();
        downtimeBytes.reset();
        postcopyBytes.reset();
        dirtySyncMissedZeroCopy.reset();
        dirtySyncCount.set(0);
        dirtyPagesRate = 0;
        mbps = 0;
        pagesPerSecond = 0;

        compressedPages.reset();
        compressionBusy.reset();
        compressedSize.reset();
        compressionBusyRate = 0;
        compressionRate = 0;

        totalTime = 0;
        setupTime = 0;
        downtime = 0;
        downtimeStart = 0;
        expectedDowntime = 0;
        cpuThrottlePercentage = 0;
        startTime = clock.millis();
    }

    // ---- byte accounting (§4.1) ----

    /**
     * QEMU's {@code ram_transferred_add}: RAM bytes written by the main-thread RAM code (page
     * headers, payloads, zero-page fill, XBZRLE and compressed records, iteration EOS markers).
     * Adds to {@code transferred} and to the counter of {@code phase}.
     *
     * @param phase where the bytes count (see {@link TransferPhase#of})
     * @param bytes the number of bytes
     * @throws NullPointerException if {@code phase} is null
     */
    public void addRamBytes(TransferPhase phase, long bytes) {
        LongAdder byPhase = switch (Objects.requireNonNull(phase, "phase")) {
            case PRECOPY -> precopyBytes;
            case DOWNTIME -> downtimeBytes;
            case POSTCOPY -> postcopyBytes;
        };
        transferred.add(bytes);
        byPhase.add(bytes);
    }

    /**
     * Bytes dispatched to a multifd channel ({@code num_pages × page size + header} per data
     * packet, the header per sync packet; uncompressed sizes even with zlib/zstd). Adds to
     * {@code transferred} and {@code multifd-bytes} only, never to the per-phase counters.
     *
     * @param bytes the number of bytes
     */
    public void addMultifdBytes(long bytes) {
        transferred.add(bytes);
        multifdBytes.add(bytes);
    }

    // ---- RAM counters (§4.2) ----

    /**
     * Counts pages sent as zero pages ({@code duplicate}).
     *
     * @param pages the number of pages
     */
    public void addDuplicatePages(long pages) {
        duplicate.add(pages);
    }

    /**
     * Counts pages sent as full pages ({@code normal}; multifd pages when queued, XBZRLE
     * overflows falling back to a full page).
     *
     * @param pages the number of pages
     */
    public void addNormalPages(long pages) {
        normal.add(pages);
    }

    /**
     * One dirty-bitmap synchronisation ({@code dirty-sync-count}).
     *
     * @return the count after the increment: the {@code pass} of the {@code MIGRATION_PASS} event
     */
    public long incrementDirtySyncCount() {
        return dirtySyncCount.incrementAndGet();
    }

    /** One page request (REQ_PAGES or REQ_PAGES_ID, whatever its length) received on the return path. */
    public void incrementPostcopyRequests() {
        postcopyRequests.increment();
    }

    /** A zero-copy flush found that every send since the previous flush fell back to copying. */
    public void incrementDirtySyncMissedZeroCopy() {
        dirtySyncMissedZeroCopy.increment();
    }

    /**
     * Sets {@code dirty-pages-rate} (at a bitmap sync that closes a ≥1 s period).
     *
     * @param pagesPerSecond dirty pages × 1000 / period length in ms
     */
    public void setDirtyPagesRate(long pagesPerSecond) {
        this.dirtyPagesRate = pagesPerSecond;
    }

    /**
     * Sets {@code mbps} (at each ≥100 ms window).
     *
     * @param mbps megabits per second
     */
    public void setMbps(double mbps) {
        this.mbps = mbps;
    }

    /**
     * Sets {@code pages-per-second} (at each ≥100 ms window).
     *
     * @param pagesPerSecond pages per second, unsigned
     */
    public void setPagesPerSecond(long pagesPerSecond) {
        this.pagesPerSecond = pagesPerSecond;
    }

    /**
     * {@code transferred} so far.
     *
     * @return bytes
     */
    public long transferred() {
        return transferred.sum();
    }

    /**
     * {@code duplicate} so far.
     *
     * @return pages
     */
    public long duplicatePages() {
        return duplicate.sum();
    }

    /**
     * {@code normal} so far.
     *
     * @return pages
     */
    public long normalPages() {
        return normal.sum();
    }

    /**
     * {@code dirty-sync-count} so far.
     *
     * @return synchronisations
     */
    public long dirtySyncCount() {
        return dirtySyncCount.get();
    }

    /**
     * {@code multifd-bytes} so far.
     *
     * @return bytes
     */
    public long multifdBytes() {
        return multifdBytes.sum();
    }

    // ---- XBZRLE (§4.3, never reset) ----

    /**
     * Adds to XBZRLE {@code bytes} (record bytes minus the address word; a page per overflow).
     *
     * @param bytes the number of bytes
     */
    public void addXbzrleBytes(long bytes) {
        xbzrleBytes.add(bytes);
    }

    /**
     * Adds to XBZRLE {@code pages} (cache hits: encoded, unchanged or overflowed).
     *
     * @param pages the number of pages
     */
    public void addXbzrlePages(long pages) {
        xbzrlePages.add(pages);
    }

    /** One XBZRLE {@code cache-miss}. */
    public void incrementXbzrleCacheMiss() {
        xbzrleCacheMiss.increment();
    }

    /** One XBZRLE {@code overflow}. */
    public void incrementXbzrleOverflow() {
        xbzrleOverflow.increment();
    }

    /**
     * Sets XBZRLE {@code cache-miss-rate} (per ≥1 s period).
     *
     * @param rate cache misses / pages written in the period
     */
    public void setXbzrleCacheMissRate(double rate) {
        this.xbzrleCacheMissRate = rate;
    }

    /**
     * Sets XBZRLE {@code encoding-rate} (per ≥1 s period).
     *
     * @param rate encoded pages × page size / encoded bytes in the period
     */
    public void setXbzrleEncodingRate(double rate) {
        this.xbzrleEncodingRate = rate;
    }

    /**
     * XBZRLE {@code bytes} so far (over the process lifetime).
     *
     * @return bytes
     */
    public long xbzrleBytes() {
        return xbzrleBytes.sum();
    }

    /**
     * XBZRLE {@code pages} so far (over the process lifetime).
     *
     * @return pages
     */
    public long xbzrlePages() {
        return xbzrlePages.sum();
    }

    /**
     * XBZRLE {@code cache-miss} so far (over the process lifetime).
     *
     * @return misses
     */
    public long xbzrleCacheMiss() {
        return xbzrleCacheMiss.sum();
    }

    // ---- compression (§4.4) ----

    /**
     * Adds to compression {@code pages} (pages actually compressed).
     *
     * @param pages the number of pages
     */
    public void addCompressedPages(long pages) {
        compressedPages.add(pages);
    }

    /** One compression {@code busy}: no thread was free and the page went out uncompressed. */
    public void incrementCompressionBusy() {
        compressionBusy.increment();
    }

    /**
     * Adds to {@code compressed-size} (output bytes minus 8 per page).
     *
     * @param bytes the number of bytes
     */
    public void addCompressedSize(long bytes) {
        compressedSize.add(bytes);
    }

    /**
     * Sets {@code busy-rate} (per period).
     *
     * @param rate busy / pages written in the period
     */
    public void setCompressionBusyRate(double rate) {
        this.compressionBusyRate = rate;
    }

    /**
     * Sets {@code compression-rate} (per period with a non-zero compressed-size delta).
     *
     * @param rate compressed pages × page size / compressed size in the period
     */
    public void setCompressionRate(double rate) {
        this.compressionRate = rate;
    }

    /**
     * Compression {@code pages} so far.
     *
     * @return pages
     */
    public long compressedPages() {
        return compressedPages.sum();
    }

    /**
     * Compression {@code busy} so far.
     *
     * @return times
     */
    public long compressionBusy() {
        return compressionBusy.sum();
    }

    /**
     * {@code compressed-size} so far.
     *
     * @return bytes
     */
    public long compressedSize() {
        return compressedSize.sum();
    }

    // ---- time fields and throttle (§4.5) ----

    /**
     * The start time {@link #reset()} recorded ({@code start_time}, real-time clock).
     *
     * @return milliseconds since the epoch of the clock
     */
    public long startTime() {
        return startTime;
    }

    /**
     * Sets {@code setup-time}: ms from migration-thread start until {@code active}.
     *
     * @param millis the setup time
     */
    public void setSetupTime(long millis) {
        this.setupTime = millis;
    }

    /**
     * Sets {@code expected-downtime} (the {@code downtime-limit} when connected, then per window).
     *
     * @param millis the expected downtime
     */
    public void setExpectedDowntime(long millis) {
        this.expectedDowntime = millis;
    }

    /**
     * Sets {@code downtime} directly: postcopy (start of {@code postcopy_start} until the package
     * was sent) and background snapshots (VM stop to restart) measure it themselves.
     *
     * @param millis the downtime
     */
    public void setDowntime(long millis) {
        this.downtime = millis;
    }

    /**
     * Records the start of the precopy completion phase (just before the VM stops):
     * {@link #calculateComplete} measures {@code downtime} from here when nothing set it.
     */
    public void markDowntimeStart() {
        this.downtimeStart = clock.millis();
    }

    /**
     * Sets {@code cpu-throttle-percentage}; 0 means the throttle is not active (the member is
     * then absent from {@code query-migrate}).
     *
     * @param percentage the current vCPU throttle percentage
     */
    public void setCpuThrottlePercentage(long percentage) {
        this.cpuThrottlePercentage = percentage;
    }

    /**
     * QEMU's {@code migration_calculate_complete}, run when the migration reached
     * {@code completed}: freezes {@code total-time} at now − start; if no downtime was set
     * (precopy), sets it to now − {@link #markDowntimeStart() downtime start}; recomputes
     * {@code mbps} over the whole migration as {@code bytes × 8 / (total − setup ms) / 1000}
     * (left unchanged when that interval is 0).
     *
     * @param totalBytes every byte of the migration: the main stream's position plus
     *     {@code multifd-bytes}
     */
    public void calculateComplete(long totalBytes) {
        long end = clock.millis();
        long total = end - startTime;
        totalTime = total;
        if (downtime == 0) {
            downtime = end - downtimeStart;
        }
        long transferTime = total - setupTime;
        if (transferTime != 0) {
            mbps = (double) totalBytes * 8.0 / transferTime / 1000;
        }
    }

    /**
     * Reads every counter, with {@link Timings#elapsed()} taken from the clock now.
     *
     * @return the snapshot
     */
    public CountersSnapshot snapshot() {
        RamCounts ram = new RamCounts(
                transferred.sum(), duplicate.sum(), normal.sum(), dirtyPagesRate, mbps, dirtySyncCount.get(),
                postcopyRequests.sum(), pageSize, multifdBytes.sum(), pagesPerSecond, precopyBytes.sum(),
                downtimeBytes.sum(), postcopyBytes.sum(), dirtySyncMissedZeroCopy.sum());
        XbzrleCounts xbzrle = new XbzrleCounts(xbzrleBytes.sum(), xbzrlePages.sum(), xbzrleCacheMiss.sum(),
                xbzrleCacheMissRate, xbzrleEncodingRate, xbzrleOverflow.sum());
        CompressionStats compression = new CompressionStats(compressedPages.sum(), compressionBusy.sum(),
                compressionBusyRate, compressedSize.sum(), compressionRate);
        Timings timings = new Timings(clock.millis() - startTime, totalTime, setupTime, downtime, expectedDowntime);
        return new CountersSnapshot(ram, xbzrle, compression, timings, cpuThrottlePercentage);
    }
}
