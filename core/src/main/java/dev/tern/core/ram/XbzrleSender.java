package dev.tern.core.ram;

import dev.tern.api.MigrationException;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.xbzrle.PageCache;
import dev.tern.core.xbzrle.XbzrleEncoder;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The source's XBZRLE page path (QEMU 7.2 {@code save_xbzrle_page} and
 * {@code xbzrle_cache_zero_page}, spec §7.5): the page cache, keyed by global RAM address, and
 * the per-page choice between an XBZRLE record, nothing at all, and a full page.
 *
 * <p>A page that the cache holds afterwards is sent from the cache copy, so that what the
 * destination receives is exactly what the next delta is computed against, however the guest
 * writes meanwhile. Such a page goes out at once ({@link RamRecordWriter#writePage(RamBlock,
 * long, ByteBuffer)}, one gathering write), never queued in the writer's batch: a queued view of
 * a cache slot would be read when the batch leaves, after a later page may have rewritten that
 * slot. (The cache's age rule refuses to evict a page touched in this dirty-sync generation, and
 * a page is sent at most once per generation, so a slot should not change while queued; writing
 * at once keeps the output right without leaning on that.) Pages the cache does not take keep
 * the writer's batched path.
 *
 * <p>Nothing is allocated per page: the private copy of the page and the encoding buffer are
 * made once, off-heap. The cache region is freed by {@link #close()}, at migration cleanup.
 *
 * <p>Threads: the migration thread calls everything except {@link #requestResize(long)}, which
 * the {@code migrate-set-parameters} path calls.
 */
final class XbzrleSender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(XbzrleSender.class.getName());

    private final int pageSize;
    private final MigrationCounters counters;
    private final PageCache cache;
    /** The live page, copied once: the guest may write it while it is encoded. */
    private final MemorySegment current;
    private final ByteBuffer encodedView;
    private final MemorySegment encoded;
    /** What a zero page puts in the cache ({@code XBZRLE.zero_target_page}); never written. */
    private final MemorySegment zeroPage;
    /** Page views over the cache region, remade when a resize replaces it. */
    private BlockWindows cacheWindows;

    /**
     * Creates the cache ({@code xbzrle_init}, at migration setup).
     *
     * @param cacheSize the {@code xbzrle-cache-size} parameter
     * @param pageSize the target page size
     * @param counters where the XBZRLE and page counters go
     * @throws dev.tern.api.ParameterException if the cache size is not a power-of-two number of
     *     pages (the parameter rules already guarantee it is)
     * @throws MigrationException "Failed to allocate cache" if the memory is not there
     */
    XbzrleSender(long cacheSize, int pageSize, MigrationCounters counters) {
        this.pageSize = pageSize;
        this.counters = counters;
        this.cache = new PageCache(cacheSize, pageSize);
        this.current = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(pageSize));
        this.encodedView = ByteBuffer.allocateDirect(pageSize);
        this.encoded = MemorySegment.ofBuffer(encodedView);
        this.zeroPage = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(pageSize));
        this.cacheWindows = new BlockWindows(cache.data(), cache.size());
    }

    /**
     * Asks for a new cache size (a live {@code migrate-set-parameters xbzrle-cache-size});
     * {@link #applyPendingResize()} applies it. Any thread.
     *
     * @param cacheSize the new size
     * @throws dev.tern.api.ParameterException for a size {@link PageCache} cannot have
     */
    void requestResize(long cacheSize) {
        cache.requestResize(cacheSize);
    }

    /**
     * Applies a requested resize, at a point where no page of the cache is being sent. A cache
     * that cannot be allocated leaves the old one in place: the migration goes on with it.
     */
    void applyPendingResize() {
        try {
            if (cache.applyPendingResize()) {
                cacheWindows = new BlockWindows(cache.data(), cache.size());
            }
        } catch (MigrationException e) {
            LOG.log(System.Logger.Level.WARNING, "XBZRLE cache resize failed, keeping {0} bytes: {1}", cache.size(),
                    e.getMessage());
        }
    }

    /**
     * The cache's current size in bytes.
     *
     * @return {@code slots * page size}
     */
    long cacheSize() {
        return cache.size();
    }

    /**
     * A zero page was sent: the page's cached copy, if the insert rule lets it have one, becomes
     * all zero ({@code xbzrle_cache_zero_page}), so a stale non-zero copy is never encoded against
     * and a later small write to the page can go as a delta.
     *
     * @param address the page's global RAM address
     * @param generation the current {@code dirty-sync-count}
     */
    void zeroPageSent(long address, long generation) {
        cache.insert(address, zeroPage, generation);
    }

    /**
     * Sends a non-zero page ({@code ram_save_page} with XBZRLE enabled).
     *
     * @param out the main channel's record writer
     * @param block the page's block
     * @param windows page views over the block
     * @param offset the page's offset in the block
     * @param address the page's global RAM address (the cache key)
     * @param generation the current {@code dirty-sync-count}
     * @param lastStage whether this is the completion, which reads the cache but never updates it
     * @return bytes written; 0 when the page was unchanged and nothing was sent
     */
    int send(RamRecordWriter out, RamBlock block, BlockWindows windows, long offset, long address, long generation,
            boolean lastStage) {
        if (!cache.lookup(address, generation)) {
            counters.incrementXbzrleCacheMiss();
            if (!lastStage && cache.insert(address, block.memory(), offset, generation)) {
                return sendNormal(out, block, offset, cachedPage(address));
            }
            return sendNormal(out, block, offset, windows);
        }
        // Every hit counts, whatever the encoding turns out to be: encoding-rate divides by it.
        counters.addXbzrlePages(1);
        MemorySegment data = cache.data();
        long slot = cache.slotOffset(address);
        MemorySegment.copy(block.memory(), offset, current, 0, pageSize);
        int length = XbzrleEncoder.encode(data, slot, current, 0, pageSize, encoded, 0, pageSize);
        if (length == XbzrleEncoder.UNCHANGED) {
            return 0;
        }
        boolean updated = !lastStage;
        if (updated) {
            // The cache must equal what the destination holds once this page arrived.
            MemorySegment.copy(current, 0, data, slot, pageSize);
        }
        if (length == XbzrleEncoder.OVERFLOW) {
            counters.incrementXbzrleOverflow();
            // QEMU counts an overflowed page as a full page of XBZRLE bytes; clients compare with it.
            counters.addXbzrleBytes(pageSize);
            // The last stage runs with the guest stopped: its live page is the page.
            return updated ? sendNormal(out, block, offset, cachedPage(address)) : sendNormal(out, block, offset, windows);
        }
        encodedView.clear().limit(length);
        int bytes = out.writeXbzrlePage(block, offset, encodedView);
        // Not the page's address word: QEMU compares XBZRLE bytes with compressed sizes.
        counters.addXbzrleBytes(bytes - RamRecordDescriptor.HEADER_WORD_LENGTH);
        return bytes;
    }

    /** The page's cache slot, framed for an immediate write. */
    private ByteBuffer cachedPage(long address) {
        return cacheWindows.page(cache.slotOffset(address), pageSize);
    }

    /** A full page from the cache copy, written at once. */
    private int sendNormal(RamRecordWriter out, RamBlock block, long offset, ByteBuffer page) {
        counters.addNormalPages(1);
        return out.writePage(block, offset, page);
    }

    /** A full page from guest memory, through the writer's batch. */
    private int sendNormal(RamRecordWriter out, RamBlock block, long offset, BlockWindows windows) {
        counters.addNormalPages(1);
        return out.writePage(block, offset, windows);
    }

    /** Frees the cache ({@code xbzrle_cleanup}). Idempotent. */
    @Override
    public void close() {
        cache.close();
    }
}
