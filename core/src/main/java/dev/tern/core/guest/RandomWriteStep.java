package dev.tern.core.guest;

/**
 * A write of the random workloads: an 8-byte counter (the vCPU's write number) at a random
 * offset of a random page, the page drawn from the hot set with the hot probability and from
 * the cold rest otherwise; a uniform workload is a hot set of every page.
 *
 * <p>The generator is SplitMix64, whose whole state is one {@code long}: that is the cursor's
 * position, so a migrated guest continues the very same sequence of writes.
 */
final class RandomWriteStep implements WriteStep {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Offsets 0..4088 keep the 8 bytes inside one page, so one dirty mark covers them. */
    private static final long OFFSETS = GuestMemory.PAGE_SIZE - Long.BYTES + 1;

    private final GuestMemory memory;
    private final VcpuCursor cursor;
    private final long hotPages;
    private final long coldPages;
    /** A draw of 53 random bits below this picks a hot page. */
    private final long hotThreshold;

    /**
     * A step over all of the guest's pages.
     *
     * @param memory the guest memory
     * @param cursor the vCPU's cursor
     * @param hotFraction the share of pages that are hot (1 for uniform)
     * @param hotProbability the share of writes that go to them
     */
    RandomWriteStep(GuestMemory memory, VcpuCursor cursor, double hotFraction, double hotProbability) {
        this.memory = memory;
        this.cursor = cursor;
        long total = memory.totalPages();
        this.hotPages = Math.max(1, Math.min(total, (long) Math.ceil(hotFraction * total)));
        this.coldPages = total - hotPages;
        this.hotThreshold = (long) (hotProbability * 0x1p53);
    }

    /**
     * The generator state vCPU {@code index} starts from, so that vCPUs write different pages.
     *
     * @param index the vCPU index
     * @return the seed
     */
    static long seedFor(int index) {
        return mix(GOLDEN_GAMMA * (index + 1));
    }

    @Override
    public void writeOne() {
        long state = cursor.position() + GOLDEN_GAMMA;
        long pageDraw = mix(state);
        state += GOLDEN_GAMMA;
        long offsetDraw = mix(state);
        long page;
        if (coldPages == 0) {
            page = Math.unsignedMultiplyHigh(pageDraw, hotPages);
        } else {
            state += GOLDEN_GAMMA;
            boolean hot = (mix(state) >>> 11) < hotThreshold;
            page = hot ? Math.unsignedMultiplyHigh(pageDraw, hotPages)
                    : hotPages + Math.unsignedMultiplyHigh(pageDraw, coldPages);
        }
        long offset = Math.unsignedMultiplyHigh(offsetDraw, OFFSETS);
        long writeNumber = cursor.passes() + 1;
        memory.storeLong(page, offset, writeNumber);
        cursor.positionRelease(state);
        cursor.passesRelease(writeNumber);
    }

    /** SplitMix64's output function (Steele, Lea, Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
