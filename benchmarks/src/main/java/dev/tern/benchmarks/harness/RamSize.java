package dev.tern.benchmarks.harness;

/** A guest RAM size as the log and the scenario names write it. */
final class RamSize {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private RamSize() {
    }

    /**
     * The size for the log.
     *
     * @param bytes the size, a whole number of MiB
     * @return {@code 4 GiB} for whole GiB, otherwise for example {@code 512 MiB}
     * @throws IllegalArgumentException if {@code bytes} is not a positive whole number of MiB
     */
    static String label(long bytes) {
        check(bytes);
        return bytes % GIB == 0 ? (bytes / GIB) + " GiB" : (bytes / MIB) + " MiB";
    }

    /**
     * The size as a scenario name ends with it, so a name stays true when a size constant changes.
     *
     * @param bytes the size, a whole number of MiB
     * @return {@code 1g} for whole GiB, otherwise for example {@code 512m}
     * @throws IllegalArgumentException if {@code bytes} is not a positive whole number of MiB
     */
    static String tag(long bytes) {
        check(bytes);
        return bytes % GIB == 0 ? (bytes / GIB) + "g" : (bytes / MIB) + "m";
    }

    private static void check(long bytes) {
        if (bytes <= 0 || bytes % MIB != 0) {
            throw new IllegalArgumentException("RAM size must be a positive whole number of MiB: " + bytes);
        }
    }
}
