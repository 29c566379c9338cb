package dev.tern.core.multifd.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Pages in one off-heap segment, like guest RAM, each surrounded by guard bytes, with direct
 * page views that can be reused packet after packet. A codec that writes outside its page views
 * changes a guard.
 */
final class GuardedPages implements AutoCloseable {
    static final int GUARD = 64;
    static final byte GUARD_BYTE = (byte) 0xA5;
    private static final String[] WORDS = {"migration", "multifd", "page ", "zlib", "the ", "of ", "guest",
        "channel ", "packet", "\n", "0x7f3a", "QEMU ", "{\"execute\": ", "ram", " = ", "; "};

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment segment;
    private final ByteBuffer[] views;
    private final int pageSize;

    GuardedPages(int pages, int pageSize) {
        this.pageSize = pageSize;
        this.segment = arena.allocate((long) pages * (pageSize + GUARD) + GUARD, 4096);
        segment.fill(GUARD_BYTE);
        this.views = new ByteBuffer[pages];
        for (int i = 0; i < pages; i++) {
            views[i] = segment.asSlice(offset(i), pageSize).asByteBuffer();
        }
    }

    private long offset(int page) {
        return GUARD + (long) page * (pageSize + GUARD);
    }

    /** @return the views, rewound to frame their page */
    ByteBuffer[] views() {
        for (ByteBuffer view : views) {
            view.clear();
        }
        return views;
    }

    MemorySegment page(int i) {
        return segment.asSlice(offset(i), pageSize);
    }

    byte[] copy(int i) {
        return page(i).toArray(ValueLayout.JAVA_BYTE);
    }

    void checkGuards() {
        for (int i = 0; i <= views.length; i++) {
            long start = i == 0 ? 0 : offset(i - 1) + pageSize;
            for (long at = start; at < start + GUARD; at++) {
                assertEquals(GUARD_BYTE, segment.get(ValueLayout.JAVA_BYTE, at), "guard byte at " + at + " changed");
            }
        }
    }

    /** Fills page i with one of the contents a guest has: zero, random, text-like, half zero, a short pattern. */
    void fillMixed(int i, SplittableRandom random) {
        int kind = random.nextInt(10);
        fill(i, kind < 3 ? Content.RANDOM : kind < 6 ? Content.TEXT : kind < 8 ? Content.HALF_ZERO
                : kind < 9 ? Content.ZERO : Content.PATTERN, random);
    }

    void fill(int i, Content content, SplittableRandom random) {
        MemorySegment page = page(i);
        switch (content) {
            case ZERO -> page.fill((byte) 0);
            case RANDOM -> randomBytes(page, 0, pageSize, random);
            case HALF_ZERO -> {
                page.fill((byte) 0);
                randomBytes(page, random.nextBoolean() ? 0 : pageSize / 2, pageSize / 2, random);
            }
            case PATTERN -> {
                int period = 1 + random.nextInt(16);
                for (int b = 0; b < pageSize; b++) {
                    page.set(ValueLayout.JAVA_BYTE, b, (byte) (b % period * 37));
                }
            }
            case TEXT -> {
                int b = 0;
                while (b < pageSize) {
                    String word = WORDS[random.nextInt(WORDS.length)];
                    for (int c = 0; c < word.length() && b < pageSize; c++, b++) {
                        page.set(ValueLayout.JAVA_BYTE, b, (byte) word.charAt(c));
                    }
                }
            }
        }
    }

    private static void randomBytes(MemorySegment page, int from, int length, SplittableRandom random) {
        for (int b = from; b < from + length; b += 8) {
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, b, random.nextLong());
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    enum Content {
        ZERO, RANDOM, TEXT, HALF_ZERO, PATTERN
    }
}
