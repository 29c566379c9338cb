package dev.tern.core.dirtyrate;

import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32;

/**
 * {@code calc-dirty-rate} in page-sampling mode (QEMU's {@code calculate_dirtyrate_sample_vm}):
 * hash a random sample of pages, wait, hash them again and scale the fraction that changed to
 * the size of the sampled blocks.
 */
final class PageSampling {
    /**
     * Blocks smaller than this are not sampled (spec 11.2 and §16 item 25: 128 MiB). QEMU 7.2's
     * {@code skip_sample_ramblock} compares with {@code MIN_RAMBLOCK_SIZE << 10}, which is
     * 128 KiB although its header says megabytes; the spec's reading is kept here.
     */
    static final long MIN_SAMPLED_BLOCK_BYTES = 128L << 20;

    private static final int TARGET_PAGE_BITS = 12;

    private PageSampling() {
    }

    /**
     * Runs one measurement.
     *
     * @param guest the guest whose RAM is sampled
     * @param samplePagesPerGiB pages sampled per GiB of block
     * @param calcTimeSec the requested period in seconds
     * @param clock the clock
     * @param pause how to sleep
     * @param random picks the sampled pages
     * @param stop ends the measurement early
     * @return the outcome, or null if stopped
     * @throws InterruptedException if the thread was interrupted
     */
    static Outcome measure(Guest guest, long samplePagesPerGiB, long calcTimeSec, InstantSource clock, Pause pause,
            RandomGenerator random, CountDownLatch stop) throws InterruptedException {
        long initial = clock.millis();
        List<BlockSample> samples = new ArrayList<>();
        for (RamBlock block : guest.ramBlocks()) {
            if (!skipped(block)) {
                samples.add(BlockSample.take(block, samplePagesPerGiB, random));
            }
        }
        long msec = MeasuringWindow.await(clock, pause, calcTimeSec * 1000, initial, stop);
        if (msec == MeasuringWindow.STOPPED) {
            return null;
        }
        long dirtySamples = 0;
        long totalSamples = 0;
        long totalMegabytes = 0;
        for (RamBlock block : guest.ramBlocks()) {
            if (skipped(block)) {
                continue;
            }
            BlockSample sample = matching(samples, block);
            if (sample == null) {
                continue;
            }
            dirtySamples += sample.dirtyCount();
            totalSamples += sample.pageIndex.length;
            // Even a block with no samples adds its size, as QEMU's update_dirtyrate_stat does.
            totalMegabytes += (sample.pages << TARGET_PAGE_BITS) >>> 20;
        }
        long dirtyRate = totalSamples == 0
                ? -1
                : Long.divideUnsigned(dirtySamples * totalMegabytes * 1000, totalSamples * msec);
        return new Outcome(initial / 1000, msec / 1000, dirtyRate, Optional.empty());
    }

    private static boolean skipped(RamBlock block) {
        return block.usedLength() < MIN_SAMPLED_BLOCK_BYTES;
    }

    /**
     * QEMU's {@code find_block_matched}: the first sample of the same name, and only if the block
     * still has the same memory and page count (a block that was resized or remapped in the
     * meantime is dropped from the result).
     */
    private static BlockSample matching(List<BlockSample> samples, RamBlock block) {
        for (BlockSample sample : samples) {
            if (sample.name.equals(block.name())) {
                boolean same = sample.memory.address() == block.memory().address()
                        && sample.pages == block.usedLength() >>> TARGET_PAGE_BITS;
                return same ? sample : null;
            }
        }
        return null;
    }

    private static int pageHash(MemorySegment memory, long page) {
        CRC32 crc = new CRC32();
        crc.update(memory.asSlice(page << TARGET_PAGE_BITS, VcpuDirtyRates.TARGET_PAGE_SIZE).asByteBuffer());
        return (int) crc.getValue();
    }

    /** The sampled pages of one block and their CRC-32 at the start of the window. */
    private static final class BlockSample {
        private final String name;
        private final MemorySegment memory;
        private final long pages;
        private final long[] pageIndex;
        private final int[] hash;

        private BlockSample(String name, MemorySegment memory, long pages, long[] pageIndex, int[] hash) {
            this.name = name;
            this.memory = memory;
            this.pages = pages;
            this.pageIndex = pageIndex;
            this.hash = hash;
        }

        static BlockSample take(RamBlock block, long samplePagesPerGiB, RandomGenerator random) {
            long used = block.usedLength();
            long count = (used * samplePagesPerGiB) >>> 30;
            long pages = used >>> TARGET_PAGE_BITS;
            MemorySegment memory = block.memory();
            if (pages == 0 || count == 0) {
                return new BlockSample(block.name(), memory, pages, new long[0], new int[0]);
            }
            long[] pageIndex = new long[Math.toIntExact(count)];
            int[] hash = new int[pageIndex.length];
            for (int i = 0; i < pageIndex.length; i++) {
                // g_rand_int_range(0, pages - 1): the upper end is exclusive, so the last page is
                // never sampled.
                pageIndex[i] = random.nextLong(0, pages - 1);
                hash[i] = pageHash(memory, pageIndex[i]);
            }
            return new BlockSample(block.name(), memory, pages, pageIndex, hash);
        }

        long dirtyCount() {
            long dirty = 0;
            for (int i = 0; i < pageIndex.length; i++) {
                if (pageHash(memory, pageIndex[i]) != hash[i]) {
                    dirty++;
                }
            }
            return dirty;
        }
    }
}
