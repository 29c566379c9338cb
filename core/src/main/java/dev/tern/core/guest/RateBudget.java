package dev.tern.core.guest;

/**
 * A vCPU's write budget per time slice: a token bucket refilled with {@code pagesPerSecond / 100}
 * tokens per 10 ms slice, carrying the remainder so that low rates still write now and then.
 * Unused tokens of a slice do not carry over: a paused or throttled vCPU does not catch up.
 */
final class RateBudget {
    private static final long SLICES_PER_SECOND = 1_000_000_000L / ReferenceVcpus.SLICE_NANOS;

    private final long pagesPerSecond;
    private long credit;

    /**
     * A budget for one vCPU.
     *
     * @param pagesPerSecond this vCPU's rate; negative for as fast as possible
     */
    RateBudget(long pagesPerSecond) {
        this.pagesPerSecond = pagesPerSecond;
    }

    /**
     * One vCPU's share of a guest-wide rate: an even split, the remainder going to the first vCPUs.
     *
     * @param guestPagesPerSecond the guest's rate, 0 for as fast as possible
     * @param vcpus the number of vCPUs
     * @param index this vCPU
     * @return the vCPU's rate, or -1 for as fast as possible
     */
    static long share(long guestPagesPerSecond, int vcpus, int index) {
        if (guestPagesPerSecond == 0) {
            return -1;
        }
        return guestPagesPerSecond / vcpus + (index < guestPagesPerSecond % vcpus ? 1 : 0);
    }

    /**
     * The writes allowed in the next slice.
     *
     * @return the budget; {@link Long#MAX_VALUE} when unlimited
     */
    long nextSlice() {
        if (pagesPerSecond < 0) {
            return Long.MAX_VALUE;
        }
        credit += pagesPerSecond;
        long budget = credit / SLICES_PER_SECOND;
        credit -= budget * SLICES_PER_SECOND;
        return budget;
    }
}
