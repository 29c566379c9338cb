package dev.tern.core.ram;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.DirtyBitmap;
import dev.tern.core.dirty.VmmWriteLog;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.stats.TransferPhase;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.ZeroPages;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's RAM handler (QEMU's {@code ram_save_setup}, {@code ram_save_iterate},
 * {@code ram_save_complete}, spec 5.2 to 5.6): one migration bitmap per migrated block, the
 * round-robin page search, zero-page detection, and the accounting of every byte it writes.
 *
 * <p>Owned by the migration thread. Only {@link #remainingPages()} is read by other threads.
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
    private int cursorBlock;
    private long cursorPage;
    private boolean bulkStage = true;
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
        for (RamBlock b : migratable) {
            if (!(ignoreShared && b.shared())) {
                migrated.add(new Block(b));
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
     * One iteration's page sending ({@code ram_find_and_save_block} in a loop): sends dirty pages
     * until the budget says stop, 50 ms passed, or no dirty page is left.
     *
     * @param out the RAM record writer of the main channel
     * @param budget asked every page whether the rate limit allows another
     * @return true if no dirty page was left
     */
    public boolean iterate(RamRecordWriter out, Budget budget) {
        long start = System.nanoTime();
        int sinceCheck = 0;
        while (budget.allowsMore()) {
            if (!sendNextDirtyPage(out)) {
                return true;
            }
            if (++sinceCheck == PAGES_PER_CLOCK_CHECK) {
                sinceCheck = 0;
                if (System.nanoTime() - start > MAX_ITERATION_NANOS) {
                    break;
                }
            }
        }
        return false;
    }

    /**
     * The completion's last pass ({@code ram_save_complete}): every remaining dirty page,
     * without a rate limit. The caller has stopped the guest and synced.
     *
     * @param out the RAM record writer of the main channel
     */
    public void sendAll(RamRecordWriter out) {
        while (sendNextDirtyPage(out)) {
            // keep going until the bitmaps are empty
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
     * @return false if no block has a dirty page
     */
    private boolean sendNextDirtyPage(RamRecordWriter out) {
        if (remainingPages == 0 || blocks.length == 0) {
            return false;
        }
        for (int visited = 0; visited <= blocks.length; visited++) {
            Block b = blocks[cursorBlock];
            long page = b.bitmap.nextSetBit(cursorPage);
            if (page >= 0) {
                b.bitmap.testAndClear(page);
                remainingPages = remainingPages - 1;
                cursorPage = page + 1;
                sendPage(out, b, page);
                return true;
            }
            cursorPage = 0;
            if (++cursorBlock == blocks.length) {
                cursorBlock = 0;
                // The first wrap ends the bulk stage (XBZRLE may start after it).
                bulkStage = false;
            }
        }
        return false;
    }

    private void sendPage(RamRecordWriter out, Block b, long page) {
        long offset = page << PAGE_SHIFT;
        int bytes;
        if (ZeroPages.isZero(b.ram.memory(), offset, PAGE_SIZE)) {
            bytes = out.writeZeroPage(b.ram, offset);
            counters.addDuplicatePages(1);
        } else {
            bytes = out.writePage(b.ram, offset, b.windows);
            counters.addNormalPages(1);
        }
        counters.addRamBytes(phase, bytes);
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

    /** A migrated block with its bitmap and the reusable page views over its memory. */
    private static final class Block {
        final RamBlock ram;
        final DirtyBitmap bitmap;
        final BlockWindows windows;

        Block(RamBlock ram) {
            this.ram = ram;
            long pages = (ram.usedLength() + PAGE_SIZE - 1) >>> PAGE_SHIFT;
            this.bitmap = new DirtyBitmap(pages);
            this.windows = new BlockWindows(ram.memory(), ram.usedLength());
        }
    }
}
