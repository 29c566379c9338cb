package dev.tern.core.xbzrle;

import java.util.SplittableRandom;

/** Old/new page pairs with the change shapes XBZRLE meets, for the property tests and benchmarks' sanity. */
final class PagePairs {
    /** How the changed bytes are laid out. */
    enum Shape {
        /** Each byte changes independently with the given probability. */
        SCATTERED,
        /** The changed bytes come in a few contiguous clusters. */
        CLUSTERED,
        /** Alternating equal and changed runs of random short lengths around word sizes. */
        RUNS,
        /** Changes at the first and last bytes plus a scattered few. */
        ENDS
    }

    private PagePairs() {
    }

    /** Random content: mostly zero pages half the time, random bytes otherwise. */
    static byte[] oldPage(SplittableRandom random, int length) {
        byte[] old = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(old);
        } else {
            for (int k = 0; k < length / 64; k++) {
                old[random.nextInt(Math.max(1, length))] = (byte) random.nextInt(256);
            }
        }
        return old;
    }

    /** A copy of old with the chosen bytes changed (to a different value). */
    static byte[] newPage(SplittableRandom random, byte[] old, Shape shape, double fraction) {
        byte[] cur = old.clone();
        int length = old.length;
        if (length == 0) {
            return cur;
        }
        switch (shape) {
            case SCATTERED -> {
                for (int i = 0; i < length; i++) {
                    if (random.nextDouble() < fraction) {
                        change(random, cur, i);
                    }
                }
            }
            case CLUSTERED -> {
                int target = (int) Math.round(fraction * length);
                int clusters = 1 + random.nextInt(8);
                for (int c = 0; c < clusters && target > 0; c++) {
                    int size = c == clusters - 1 ? target : 1 + random.nextInt(target);
                    int start = random.nextInt(length);
                    for (int i = start; i < Math.min(length, start + size); i++) {
                        change(random, cur, i);
                    }
                    target -= size;
                }
            }
            case RUNS -> {
                int i = random.nextInt(3) == 0 ? 0 : random.nextInt(Math.min(length, 40));
                while (i < length) {
                    int changed = 1 + random.nextInt(random.nextBoolean() ? 10 : 40);
                    for (int k = i; k < Math.min(length, i + changed); k++) {
                        change(random, cur, k);
                    }
                    i += changed + 1 + random.nextInt(random.nextBoolean() ? 10 : 200);
                }
            }
            case ENDS -> {
                change(random, cur, 0);
                change(random, cur, length - 1);
                int extra = random.nextInt(8);
                for (int k = 0; k < extra; k++) {
                    int at = random.nextBoolean() ? random.nextInt(Math.min(length, 16))
                            : length - 1 - random.nextInt(Math.min(length, 16));
                    change(random, cur, at);
                }
                for (int i = 0; i < length; i++) {
                    if (random.nextDouble() < fraction) {
                        change(random, cur, i);
                    }
                }
            }
            default -> throw new IllegalArgumentException(shape.name());
        }
        return cur;
    }

    private static void change(SplittableRandom random, byte[] page, int at) {
        page[at] = (byte) (page[at] ^ (1 + random.nextInt(255)));
    }
}
