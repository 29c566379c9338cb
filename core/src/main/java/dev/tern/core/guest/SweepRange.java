package dev.tern.core.guest;

/** The rules for a sweep range, shared by the workload and the RAM check. */
final class SweepRange {
    private SweepRange() {
    }

    /**
     * Checks a sweep range.
     *
     * @param fromOffset the first page's offset
     * @param toOffset the end (exclusive)
     * @throws IllegalArgumentException if the range is empty, negative or not 4 KiB aligned
     */
    static void check(long fromOffset, long toOffset) {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("sweep range starts at a negative offset, " + fromOffset);
        }
        if (toOffset <= fromOffset) {
            throw new IllegalArgumentException(String.format(
                    "sweep range [0x%x, 0x%x) is empty", fromOffset, toOffset));
        }
        if (fromOffset % GuestMemory.PAGE_SIZE != 0 || toOffset % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format(
                    "sweep range [0x%x, 0x%x) is not aligned to 4 KiB pages", fromOffset, toOffset));
        }
    }
}
