package dev.tern.core.guest;

/**
 * What the reference guest's vCPUs do with its RAM. Every workload writes through
 * {@link java.lang.foreign.MemorySegment} accesses with no locks and marks each page in the
 * dirty log after writing it; every one is paused, throttled and migrated the same way.
 *
 * {@snippet :
 * try (ReferenceGuest guest = ReferenceGuest.builder()
 *         .ramBlock("pc.ram", 128L << 20)
 *         .workload(Workload.sequentialSweep(1L << 20, 100L << 20)) // QEMU's A-B guest
 *         .build()) {
 *     guest.start();
 * }
 * }
 */
public sealed interface Workload {
    /**
     * QEMU's "A-B" test guest (spec 15.1): forever, for every 4 KiB page in
     * {@code [fromOffset, toOffset)} of the first RAM block in order, increment the page's first
     * byte; each completed sweep is one pass. vCPU 0 runs it; other vCPUs idle. Its RAM can be
     * checked with {@link ReferenceGuest#checkSweep}.
     *
     * @param fromOffset the first page's offset, a multiple of 4096, at least 0
     * @param toOffset the end (exclusive), a multiple of 4096, greater than {@code fromOffset}
     *     and at most the first block's size (checked when the guest is built)
     * @return the workload
     * @throws IllegalArgumentException if the range is empty, negative or not 4 KiB aligned
     */
    static Workload sequentialSweep(long fromOffset, long toOffset) {
        return new SequentialSweep(fromOffset, toOffset);
    }

    /**
     * Writes spread evenly over all pages of all RAM blocks: each write stores an 8-byte
     * counter at a random offset of a random page.
     *
     * @param pagesPerSecond the guest's total target rate, shared evenly by the vCPUs and
     *     enforced per 10 ms slice of running; 0 for as fast as possible
     * @return the workload
     * @throws IllegalArgumentException if the rate is negative
     */
    static Workload uniformRandom(long pagesPerSecond) {
        return new UniformRandom(pagesPerSecond);
    }

    /**
     * Like {@link #uniformRandom} but skewed: the first {@code hotFraction} of the guest's pages
     * (in RAM-list order) get {@code hotProbability} of the writes, the other pages the rest.
     * A guest whose hot set is rewritten faster than it can be sent does not converge without
     * throttling.
     *
     * @param hotFraction the share of pages that are hot, in (0, 1]
     * @param hotProbability the share of writes that go to a hot page, in [0, 1]
     * @param pagesPerSecond the total target rate as in {@link #uniformRandom}; 0 for as fast
     *     as possible
     * @return the workload
     * @throws IllegalArgumentException if a parameter is outside its range
     */
    static Workload hotSet(double hotFraction, double hotProbability, long pagesPerSecond) {
        return new HotSet(hotFraction, hotProbability, pagesPerSecond);
    }

    /**
     * No writes: the vCPUs rest. RAM keeps whatever was loaded into it.
     *
     * @return the workload
     */
    static Workload idle() {
        return new Idle();
    }

    /**
     * The sequential sweep; see {@link Workload#sequentialSweep}.
     *
     * @param fromOffset the first page's offset in the first block
     * @param toOffset the end of the range (exclusive)
     */
    record SequentialSweep(long fromOffset, long toOffset) implements Workload {
        /**
         * Checks the range.
         *
         * @throws IllegalArgumentException if the range is empty, negative or not 4 KiB aligned
         */
        public SequentialSweep {
            SweepRange.check(fromOffset, toOffset);
        }
    }

    /**
     * Uniform random writes; see {@link Workload#uniformRandom}.
     *
     * @param pagesPerSecond the total target rate, 0 for unlimited
     */
    record UniformRandom(long pagesPerSecond) implements Workload {
        /**
         * Checks the rate.
         *
         * @throws IllegalArgumentException if the rate is negative
         */
        public UniformRandom {
            checkRate(pagesPerSecond);
        }
    }

    /**
     * Hot-set random writes; see {@link Workload#hotSet}.
     *
     * @param hotFraction the share of pages that are hot
     * @param hotProbability the share of writes that go to them
     * @param pagesPerSecond the total target rate, 0 for unlimited
     */
    record HotSet(double hotFraction, double hotProbability, long pagesPerSecond) implements Workload {
        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException if a parameter is outside its range
         */
        public HotSet {
            if (!(hotFraction > 0 && hotFraction <= 1)) {
                throw new IllegalArgumentException("hot fraction " + hotFraction + " is outside (0, 1]");
            }
            if (!(hotProbability >= 0 && hotProbability <= 1)) {
                throw new IllegalArgumentException("hot probability " + hotProbability + " is outside [0, 1]");
            }
            checkRate(pagesPerSecond);
        }
    }

    /** No writes; see {@link Workload#idle}. */
    record Idle() implements Workload {
    }

    private static void checkRate(long pagesPerSecond) {
        if (pagesPerSecond < 0) {
            throw new IllegalArgumentException("page rate " + pagesPerSecond + " per second is negative");
        }
    }
}
