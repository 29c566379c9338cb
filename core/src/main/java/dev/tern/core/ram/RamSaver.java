package dev.tern.core.ram;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.compress.CompressPool;
import dev.tern.core.dirty.DirtyBitmap;
import dev.tern.core.dirty.VmmWriteLog;
import dev.tern.core.multifd.MultifdSender;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stats.TransferPhase;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.ZeroPages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's RAM handler (QEMU's {@code ram_save_setup}, {@code ram_save_iterate},
 * {@code ram_save_complete}, spec 5.2 to 5.6): one migration bitmap per migrated block, the
 * round-robin page search, zero-page detection, XBZRLE once the first pass is over (spec 7.5),
 * and the accounting of every byte it writes.
 *
 * <p>Owned by the migration thread. Only {@link #remainingPages()} is read by other threads, and
 * {@link #requestXbzrleCacheSize(long)} is called by the {@code migrate-set-parameters} path.
 */
public final class RamSaver {
    /** x86's target page size. */
    public static final int PAGE_SIZE = 4096;
    private static final int PAGE_SHIFT = 12;
    /** QEMU checks the clock every 64 pages and yields to the main loop after 50 ms. */
    private static final int PAGES_PER_CLOCK_CHECK = 64;
    private static final long MAX_ITERATION_NANOS = 50_000_000L;

    private final List<RamBlock> migratable;
    private final Block[] blocks;
    private final DirtyLog log;
    private final VmmWriteLog vmmWrites;
    private final MigrationCounters counters;

    private volatile long remainingPages;
    private volatile TransferPhase phase = TransferPhase.PRECOPY;
    /** The XBZRLE path while the capability is on; volatile for the resize requests. */
    private volatile XbzrleSender xbzrle;
    /** Legacy {@code compress} threads while the capability is on (spec 9.1). */
    private CompressPool compress;
    /** The multifd channels while the capability is on: non-zero pages go there. */
    private MultifdSender multifd;
    private int cursorBlock;
    private long cursorPage;
    private boolean bulkStage = true;
    /** The completion's pass ({@code rs->last_stage}): XBZRLE reads its cache, never updates it. */
    private boolean lastStage;
    /** {@code dirty-sync-count} while pages are sent: the cache's generation. */
    private long generation;
    /** Pages the iterations reported written ({@code rs->target_page_count}). */
    private long pagesWritten;
    private boolean logging;

    /**
     * A saver for the guest's blocks.
     *
     * @param guestBlocks every RAM block of the guest, in RAM-list order
     * @param ignoreShared whether {@code x-ignore-shared} skips shared blocks
     * @param log the guest's dirty log
     * @param vmmWrites pages the VMM wrote itself
     * @param counters the migration's counters
     */
    public RamSaver(List<RamBlock> guestBlocks, boolean ignoreShared, DirtyLog log, VmmWriteLog vmmWrites,
            MigrationCounters counters) {
        this.migratable = List.copyOf(guestBlocks);
        this.log = log;
        this.vmmWrites = vmmWrites;
        this.counters = counters;
        List<Block> migrated = new ArrayList<>();
        long base = 0;
        for (RamBlock b : migratable) {
            if (!(ignoreShared && b.shared())) {
                migrated.add(new Block(b, base, migrated.size()));
                // Each block gets its own range of global RAM addresses, as QEMU's ram_addr_t
                // space does: the XBZRLE cache is keyed by them.
                base += (b.usedLength() + PAGE_SIZE - 1) & -PAGE_SIZE;
            }
        }
        this.blocks = migrated.toArray(new Block[0]);
    }

    /**
     * The blocks listed in the MEM_SIZE record: every migratable block, shared ones included.
     *
     * @return the blocks
     */
    public List<RamBlock> blockList() {
        return migratable;
    }

    /**
     * The blocks whose pages are sent (x-ignore-shared's skipped ones left out), in the order
     * {@link MultifdSender#queuePage}'s block index counts them.
     *
     * @return the blocks
     */
    public List<RamBlock> migratedBlocks() {
        List<RamBlock> list = new ArrayList<>(blocks.length);
        for (Block b : blocks) {
            list.add(b.ram);
        }
        return list;
    }

    /**
     * Sends non-zero pages through multifd from now on (QEMU's {@code ram_save_multifd_page});
     * zero pages stay ZERO records on the main channel, as in 7.2. The caller never combines it
     * with XBZRLE.
     *
     * @param sender the running multifd sender
     */
    public void useMultifd(MultifdSender sender) {
        this.multifd = sender;
    }

    /**
     * {@code ram.total}: the used length of every migrated block.
     *
     * @return bytes
     */
    public long totalBytes() {
        long total = 0;
        for (Block b : blocks) {
            total += b.ram.usedLength();
        }
        return total;
    }

    /**
     * Setup: starts dirty logging and marks every page dirty (the first sync, counted by the
     * caller, follows).
     */
    public void startLogging() {
        log.start();
        logging = true;
        long pages = 0;
        for (Block b : blocks) {
            b.bitmap.setAll();
            pages += b.bitmap.pages();
        }
        remainingPages = pages;
    }

    /**
     * QEMU's {@code migration_bitmap_sync} without the bookkeeping: moves the pages the guest and
     * the VMM dirtied since the last sync into the migration bitmaps.
     *
     * @return the number of pages that became dirty (were clean in the bitmaps before)
     */
    public long sync() {
        long before = remainingPages;
        long after = 0;
        for (Block b : blocks) {
            log.syncInto(b.ram, b.bitmap.words());
            vmmWrites.drainInto(b.ram, b.bitmap.words());
            after += b.bitmap.count();
        }
        remainingPages = after;
        return Math.max(0, after - before);
    }

    /**
     * Pages still to send ({@code ram.remaining} is this times the page size).
     *
     * @return the count
     */
    public long remainingPages() {
        return remainingPages;
    }

    /**
     * Where sent bytes count from now on ({@code precopy-bytes} while the guest runs,
     * {@code downtime-bytes} once it is stopped).
     *
     * @param phase the phase
     */
    public void phase(TransferPhase phase) {
        this.phase = phase;
    }

    /**
     * Whether the first full pass over RAM is still going (QEMU's bulk stage).
     *
     * @return true until the page search wraps for the first time
     */
    public boolean bulkStage() {
        return bulkStage;
    }

    /**
     * Turns XBZRLE on for this migration ({@code xbzrle_init}, at setup): the cache is made now,
     * and pages use it once the bulk stage is over. The caller leaves it off under multifd and
     * postcopy, which QEMU never combines with XBZRLE.
     *
     * @param cacheSize the {@code xbzrle-cache-size} parameter
     * @throws dev.tern.api.MigrationException "Failed to allocate cache" if the memory is not there
     */
    public void enableXbzrle(long cacheSize) {
        xbzrle = new XbzrleSender(cacheSize, PAGE_SIZE, counters);
    }

    /**
     * A live {@code migrate-set-parameters xbzrle-cache-size}: the cache is resized at the next
     * {@link #applyXbzrleCacheSize()} (QEMU 7.2 ignores the change; Tern applies it). Any
     * thread; nothing happens when XBZRLE is off or released.
     *
     * @param cacheSize the new size
     * @throws dev.tern.api.ParameterException for a size the cache cannot have
     */
    public void requestXbzrleCacheSize(long cacheSize) {
        XbzrleSender x = xbzrle;
        if (x != null) {
            x.requestResize(cacheSize);
        }
    }

    /** Applies a requested cache size; call between iterations, when no page is being sent. */
    public void applyXbzrleCacheSize() {
        XbzrleSender x = xbzrle;
        if (x != null) {
            x.applyPendingResize();
        }
    }

    /**
     * The XBZRLE cache's real size.
     *
     * @return bytes, 0 when XBZRLE is off or released
     */
    public long xbzrleCacheSize() {
        XbzrleSender x = xbzrle;
        return x == null ? 0 : x.cacheSize();
    }

    /** Frees the XBZRLE cache ({@code xbzrle_cleanup}, at cleanup). Idempotent. */
    public void releaseXbzrle() {
        XbzrleSender x = xbzrle;
        if (x != null) {
            xbzrle = null;
            x.close();
        }
    }

    /**
     * Turns legacy {@code compress} on for this migration (at setup): pages go to the pool's
     * threads while XBZRLE is not in use (the bulk stage only, when XBZRLE is on too).
     *
     * @param pool the started threads; {@link #releaseCompress()} closes them
     */
    public void enableCompress(CompressPool pool) {
        compress = pool;
    }

    /**
     * A live {@code compress-wait-thread} change; nothing happens when compress is off.
     *
     * @param on the new value
     */
    public void compressWaitThread(boolean on) {
        CompressPool c = compress;
        if (c != null) {
            c.waitThread(on);
        }
    }

    /** Ends and joins the compression threads (at completion, failure and cancel). Idempotent. */
    public void releaseCompress() {
        CompressPool c = compress;
        if (c != null) {
            compress = null;
            c.close();
        }
    }

    /**
     * Pages the iterations reported written ({@code rs->target_page_count}): zero, normal and
     * XBZRLE-encoded pages, not the unchanged pages XBZRLE skipped nor the completion's pages.
     * The XBZRLE rates of a period divide by it.
     *
     * @return pages
     */
    public long pagesWritten() {
        return pagesWritten;
    }

    /**
     * One iteration's page sending ({@code ram_find_and_save_block} in a loop): sends dirty pages
     * until the budget says stop, 50 ms passed, or no dirty page is left.
     *
     * @param out the RAM record writer of the main channel
     * @param budget asked every page whether the rate limit allows another
     * @return true if no dirty page was left
     * @throws UncheckedIOException if a multifd channel failed
     */
    public boolean iterate(RamRecordWriter out, Budget budget) {
        long start = System.nanoTime();
        int sinceCheck = 0;
        generation = counters.dirtySyncCount();
        boolean done = false;
        while (budget.allowsMore()) {
            int pages = sendNextDirtyPage(out);
            if (pages < 0) {
                done = true;
                break;
            }
            pagesWritten += pages;
            if (++sinceCheck == PAGES_PER_CLOCK_CHECK) {
                sinceCheck = 0;
                if (System.nanoTime() - start > MAX_ITERATION_NANOS) {
                    break;
                }
            }
        }
        flushCompressed(out);
        return done;
    }

    /**
     * The completion's last pass ({@code ram_save_complete}): every remaining dirty page,
     * without a rate limit. The caller has stopped the guest and synced. This is the last stage:
     * the XBZRLE cache is no longer updated.
     *
     * @param out the RAM record writer of the main channel
     * @throws UncheckedIOException if a multifd channel failed
     */
    public void sendAll(RamRecordWriter out) {
        lastStage = true;
        generation = counters.dirtySyncCount();
        while (sendNextDirtyPage(out) >= 0) {
            // keep going until the bitmaps are empty
        }
        flushCompressed(out);
    }

    /** Compressed records pending in the threads go out before the section's EOS. */
    private void flushCompressed(RamRecordWriter out) {
        if (compress != null) {
            compress.flush(out, phase);
        }
    }

    /** Stops dirty logging (cleanup, whatever the outcome). Idempotent. */
    public void stopLogging() {
        if (logging) {
            logging = false;
            log.stop();
        }
    }

    /**
     * Finds the next dirty page from the cursor, round-robin over the blocks, and sends it.
     *
     * @return the pages it counts as written (0 for a page XBZRLE found unchanged, else 1), or
     *     -1 if no block has a dirty page
     */
    private int sendNextDirtyPage(RamRecordWriter out) {
        if (remainingPages == 0 || blocks.length == 0) {
            return -1;
        }
        for (int visited = 0; visited <= blocks.length; visited++) {
            Block b = blocks[cursorBlock];
            long page = b.bitmap.nextSetBit(cursorPage);
            if (page >= 0) {
                b.bitmap.testAndClear(page);
                remainingPages = remainingPages - 1;
                cursorPage = page + 1;
                return sendPage(out, b, page);
            }
            cursorPage = 0;
            if (++cursorBlock == blocks.length) {
                cursorBlock = 0;
                // A new pass may resend a page still in a compression thread: its old copy goes first.
                flushCompressed(out);
                // The first wrap ends the bulk stage (XBZRLE may start after it).
                bulkStage = false;
            }
        }
        return -1;
    }

    /**
     * {@code ram_save_target_page}: the compression threads when they may take the page, else
     * the zero check, then XBZRLE when enabled, else a full page.
     */
    private int sendPage(RamRecordWriter out, Block b, long page) {
        long offset = page << PAGE_SHIFT;
        // XBZRLE is never used in the first pass over RAM.
        XbzrleSender x = bulkStage ? null : xbzrle;
        // Compression threads while XBZRLE is not in use; they do their own zero check.
        if (x == null && compress != null && compress.trySend(out, b.ram, offset, phase)) {
            return 1;
        }
        int bytes;
        if (ZeroPages.isZero(b.ram.memory(), offset, PAGE_SIZE)) {
            bytes = out.writeZeroPage(b.ram, offset);
            counters.addDuplicatePages(1);
            if (x != null && !lastStage) {
                x.zeroPageSent(b.base + offset, generation);
            }
        } else if (multifd != null) {
            try {
                multifd.queuePage(b.index, offset);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            // Multifd bytes are counted at dispatch, in multifd-bytes, never per phase (spec 4.1).
            return 1;
        } else if (x != null) {
            bytes = x.send(out, b.ram, b.windows, offset, b.base + offset, generation, lastStage);
            if (bytes == 0) {
                return 0; // unchanged since the cached copy: nothing sent, no page written
            }
        } else {
            bytes = out.writePage(b.ram, offset, b.windows);
            counters.addNormalPages(1);
        }
        counters.addRamBytes(phase, bytes);
        return 1;
    }

    /** Asked before each page whether another may be sent. */
    @FunctionalInterface
    public interface Budget {
        /**
         * Whether the rate limit allows another page now.
         *
         * @return true to continue
         */
        boolean allowsMore();
    }

    /**
     * A migrated block with its bitmap, the reusable page views over its memory, and where its
     * pages start in the global RAM address space.
     */
    private static final class Block {
        final RamBlock ram;
        final DirtyBitmap bitmap;
        final BlockWindows windows;
        final long base;
        final int index;

        Block(RamBlock ram, long base, int index) {
            this.ram = ram;
            this.base = base;
            this.index = index;
            long pages = (ram.usedLength() + PAGE_SIZE - 1) >>> PAGE_SHIFT;
            this.bitmap = new DirtyBitmap(pages);
            this.windows = new BlockWindows(ram.memory(), ram.usedLength());
        }
    }
}
