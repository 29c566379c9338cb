package dev.tern.benchmarks.dirty;

import dev.tern.api.DirtyPageReporter;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The in-run baseline for {@link DirtyQueueBenchmark}: {@code dev.tern.core.dirty.VmmWriteLog} as
 * it was before it moved onto an Agrona ring (commit a513c98), copied unchanged but for its name.
 * Reporters on any number of threads set one bit per page with an atomic OR on a per-block
 * {@code long[]}; the migration thread drains them into its bitmap before each sync.
 */
public final class AtomicBitmapWriteLog implements DirtyPageReporter {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAGE_SHIFT = 12;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final Map<RamBlock, long[]> bitmaps = new IdentityHashMap<>();

    /**
     * Creates the log for a fixed set of blocks.
     *
     * @param blocks the guest's RAM blocks
     */
    public AtomicBitmapWriteLog(List<RamBlock> blocks) {
        for (RamBlock block : blocks) {
            long pages = (block.memory().byteSize() + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT;
            bitmaps.put(block, new long[(int) ((pages + 63) >>> 6)]);
        }
    }

    @Override
    public void written(RamBlock block, long offset, long length) {
        long[] words = bitmaps.get(Objects.requireNonNull(block, "block"));
        if (words == null) {
            throw new IllegalArgumentException("RAM block " + block.name() + " does not belong to this guest");
        }
        if (length <= 0) {
            return;
        }
        if (offset < 0 || offset + length > block.memory().byteSize()) {
            throw new IndexOutOfBoundsException("write of " + length + " bytes at " + offset
                    + " outside RAM block " + block.name());
        }
        long first = offset >>> PAGE_SHIFT;
        long last = (offset + length - 1) >>> PAGE_SHIFT;
        for (long page = first; page <= last; page++) {
            // getAndBitwiseOr: many reporters may hit the same word; none may lose a bit.
            WORDS.getAndBitwiseOr(words, (int) (page >>> 6), 1L << page);
        }
    }

    /**
     * Moves the reported pages of a block into {@code target} (OR) and clears them here.
     *
     * @param block the block
     * @param target receives the bits: little-endian 64-bit words, bit {@code i} = page {@code i}
     * @return the number of pages that were not yet set in {@code target}
     */
    public long drainInto(RamBlock block, MemorySegment target) {
        long[] words = bitmaps.get(block);
        long moved = 0;
        for (int i = 0; i < words.length; i++) {
            // Cheap read first: most words are clear, and getAndSet would dirty the cache line.
            if ((long) WORDS.getOpaque(words, i) == 0) {
                continue;
            }
            long bits = (long) WORDS.getAndSet(words, i, 0L);
            long offset = (long) i * Long.BYTES;
            long old = target.get(WORD, offset);
            moved += Long.bitCount(bits & ~old);
            target.set(WORD, offset, old | bits);
        }
        return moved;
    }
}
