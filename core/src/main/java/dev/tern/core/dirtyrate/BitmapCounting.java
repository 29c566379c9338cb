package dev.tern.core.dirtyrate;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code calc-dirty-rate} in dirty-bitmap mode (QEMU's {@code calculate_dirtyrate_dirty_bitmap}):
 * count the pages the dirty log reports over a window, then apply the dirty-ring formula to the
 * count.
 */
final class BitmapCounting {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BitmapCounting() {
    }

    /**
     * Runs one measurement.
     *
     * @param log the guest's dirty log
     * @param blocks the guest's RAM blocks
     * @param calcTimeSec the requested period in seconds
     * @param clock the clock
     * @param pause how to sleep
     * @param stop ends the measurement early
     * @return the outcome, or null if stopped
     * @throws InterruptedException if the thread was interrupted
     */
    static Outcome measure(DirtyLog log, List<RamBlock> blocks, long calcTimeSec, InstantSource clock, Pause pause,
            CountDownLatch stop) throws InterruptedException {
        // Shared, not confined: a VMM may fill the bitmap from a thread of its own.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] bitmaps = new MemorySegment[blocks.size()];
            for (int i = 0; i < bitmaps.length; i++) {
                long words = (pages(blocks.get(i)) + 63) / 64;
                bitmaps[i] = arena.allocate(Math.max(1, words) * Long.BYTES, Long.BYTES);
            }
            log.start();
            try {
                // KVM may report every page dirty on the first sync after logging starts
                // (KVM_DIRTY_LOG_INITIALLY_SET): that sync is discarded and tracking re-armed.
                for (int i = 0; i < bitmaps.length; i++) {
                    log.syncInto(blocks.get(i), bitmaps[i]);
                    log.clear(blocks.get(i), 0, pages(blocks.get(i)));
                }
                long start = clock.millis();
                long msec = MeasuringWindow.await(clock, pause, calcTimeSec * 1000, start, stop);
                if (msec == MeasuringWindow.STOPPED) {
                    return null;
                }
                long dirty = 0;
                for (int i = 0; i < bitmaps.length; i++) {
                    bitmaps[i].fill((byte) 0);
                    log.syncInto(blocks.get(i), bitmaps[i]);
                    dirty += setBits(bitmaps[i], pages(blocks.get(i)));
                }
                return new Outcome(start / 1000, msec / 1000, VcpuDirtyRates.rate(dirty, msec), Optional.empty());
            } finally {
                log.stop();
            }
        }
    }

    private static long pages(RamBlock block) {
        return block.usedLength() / VcpuDirtyRates.TARGET_PAGE_SIZE;
    }

    /** Bits set among the first {@code pages} bits; bits past the block's end are ignored. */
    static long setBits(MemorySegment bitmap, long pages) {
        long count = 0;
        long fullWords = pages / 64;
        for (long w = 0; w < fullWords; w++) {
            count += Long.bitCount(bitmap.get(WORD, w * Long.BYTES));
        }
        int tail = (int) (pages % 64);
        if (tail != 0) {
            long mask = (1L << tail) - 1;
            count += Long.bitCount(bitmap.get(WORD, fullWords * Long.BYTES) & mask);
        }
        return count;
    }
}
