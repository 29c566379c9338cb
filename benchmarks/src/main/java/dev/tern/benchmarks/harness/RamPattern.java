package dev.tern.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Deterministic guest RAM contents for the harness: a chosen share of the 4 KiB pages filled with
 * pseudo-random data ({@link Kind}), the rest left zero. The same seed gives the same pages and
 * bytes, so a Tern guest and a QEMU guest's memory file can start identical.
 */
final class RamPattern {
    /** Guest page size. */
    static final long PAGE = 4096;

    /** What a filled page holds. */
    enum Kind {
        /** Pseudo-random bytes throughout: incompressible. */
        RANDOM,
        /**
         * Pseudo-random bytes in the first half, one non-zero 8-byte value repeated in the second:
         * zlib or zstd shrink the page to about half, so compression has work that pays.
         */
        HALF_COMPRESSIBLE
    }

    private RamPattern() {
    }

    /**
     * Fills the selected pages of {@code ram} with random data; the others are not touched.
     *
     * @param ram the memory, a multiple of {@value #PAGE} bytes
     * @param filledPerMille how many pages in a thousand get data (0 to 1000)
     * @param seed selects the pages and their contents
     * @return the number of pages filled
     */
    static long fill(MemorySegment ram, int filledPerMille, long seed) {
        return fill(ram, filledPerMille, Kind.RANDOM, seed);
    }

    /**
     * Fills the selected pages of {@code ram}; the others are not touched. No filled page is a
     * zero page.
     *
     * @param ram the memory, a multiple of {@value #PAGE} bytes
     * @param filledPerMille how many pages in a thousand get data (0 to 1000)
     * @param kind what a filled page holds
     * @param seed selects the pages and their contents
     * @return the number of pages filled
     */
    static long fill(MemorySegment ram, int filledPerMille, Kind kind, long seed) {
        long randomBytes = kind == Kind.RANDOM ? PAGE : PAGE / 2;
        long pages = ram.byteSize() / PAGE;
        long filled = 0;
        for (long page = 0; page < pages; page++) {
            if (Long.remainderUnsigned(mix(seed ^ page), 1000) >= filledPerMille) {
                continue;
            }
            long base = page * PAGE;
            long state = mix(seed + page);
            for (long offset = 0; offset < randomBytes; offset += Long.BYTES) {
                state += 0x9E3779B97F4A7C15L;
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, base + offset, mix(state));
            }
            // the low bit set: the page is never zero, whatever the random half drew
            long repeated = mix(state) | 1;
            for (long offset = randomBytes; offset < PAGE; offset += Long.BYTES) {
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, base + offset, repeated);
            }
            filled++;
        }
        return filled;
    }

    /** SplitMix64's finalizer: a cheap, well-spread hash of a 64-bit value. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
