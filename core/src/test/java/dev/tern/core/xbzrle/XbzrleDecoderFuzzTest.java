package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.core.stream.StreamFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated deltas: the decoder either decodes exactly as {@link NaiveXbzrle} does or
 * throws {@link StreamFormatException} where the oracle fails (any other exception fails the
 * test), the page ends up as the oracle's, and guard bytes around the page and after the delta
 * stay untouched.
 */
class XbzrleDecoderFuzzTest {
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte) 0xa5;

    @Test
    void randomDeltasDecodeOrFailAsTheOracleDoes() {
        SplittableRandom random = new SplittableRandom(91);
        try (Arena arena = Arena.ofConfined()) {
            Harness h = new Harness(arena, 300);
            int decoded = 0;
            for (int trial = 0; trial < 100_000; trial++) {
                int pageLength = random.nextInt(4) == 0 ? random.nextInt(300) : 256;
                byte[] delta = new byte[random.nextInt(24)];
                for (int i = 0; i < delta.length; i++) {
                    delta[i] = biasedByte(random);
                }
                decoded += h.check(random, delta, delta.length, pageLength, "trial " + trial) ? 1 : 0;
            }
            assertTrue(decoded > 1000, "only " + decoded + " random deltas were valid: the fuzzer is too blunt");
        }
    }

    @Test
    void mutatedEncodingsDecodeOrFailAsTheOracleDoes() throws StreamFormatException {
        SplittableRandom random = new SplittableRandom(92);
        int page = 4096;
        try (Arena arena = Arena.ofConfined()) {
            Harness h = new Harness(arena, page + 64);
            int failed = 0;
            for (int trial = 0; trial < 15_000; trial++) {
                PagePairs.Shape shape = PagePairs.Shape.values()[random.nextInt(PagePairs.Shape.values().length)];
                byte[] old = PagePairs.oldPage(random, page);
                byte[] cur = PagePairs.newPage(random, old, shape, random.nextDouble() * 0.05);
                byte[] enc = new byte[page + 64];
                int n = NaiveXbzrle.encode(old, cur, page, enc, page);
                if (n <= 0) {
                    continue;
                }
                int length = mutate(random, enc, n);
                int pageLength = random.nextInt(8) == 0 ? page - random.nextInt(page) : page;
                failed += h.check(random, enc, length, pageLength, "trial " + trial + " " + shape) ? 0 : 1;
            }
            assertTrue(failed > 1000, "only " + failed + " mutations were invalid: the mutator is too gentle");
        }
    }

    /** A byte drawn mostly from the values that matter to the format. */
    private static byte biasedByte(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> (byte) (1 + random.nextInt(8));
            case 2 -> (byte) (0x80 | random.nextInt(4));
            case 3 -> (byte) (0x7c + random.nextInt(8));
            default -> (byte) random.nextInt(256);
        };
    }

    /** Mutates the encoding in place (the array has slack) and returns its new length. */
    private static int mutate(SplittableRandom random, byte[] enc, int n) {
        int mutations = 1 + random.nextInt(3);
        int length = n;
        for (int k = 0; k < mutations; k++) {
            switch (random.nextInt(7)) {
                case 0 -> enc[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> enc[random.nextInt(length)] = biasedByte(random);
                case 2 -> length = random.nextInt(length + 1);
                case 3 -> {
                    int extra = Math.min(enc.length - length, 1 + random.nextInt(4));
                    for (int i = 0; i < extra; i++) {
                        enc[length + i] = biasedByte(random);
                    }
                    length += extra;
                }
                case 4 -> {
                    int at = random.nextInt(length);
                    enc[at] = (byte) (enc[at] | 0x80);
                }
                case 5 -> length = Math.max(0, length - 1);
                default -> enc[random.nextInt(length)] = 0;
            }
            if (length == 0) {
                break;
            }
        }
        return length;
    }

    /** A page inside guard bytes, a delta followed by guard bytes, and the oracle's copy. */
    private static final class Harness {
        private final MemorySegment memory;
        private final MemorySegment src;
        private final int max;

        Harness(Arena arena, int max) {
            this.max = max;
            this.memory = arena.allocate(GUARD + max + GUARD);
            this.src = arena.allocate(2 * max + GUARD);
        }

        /** @return true if the delta decoded */
        boolean check(SplittableRandom random, byte[] delta, int length, int pageLength, String what) {
            byte[] before = new byte[pageLength];
            random.nextBytes(before);
            memory.asSlice(0, GUARD + pageLength + GUARD).fill(GUARD_BYTE);
            MemorySegment.copy(MemorySegment.ofArray(before), 0, memory, GUARD, pageLength);
            src.asSlice(0, length + GUARD).fill(GUARD_BYTE);
            MemorySegment.copy(MemorySegment.ofArray(delta), 0, src, 0, length);

            byte[] oracle = before.clone();
            int expected = NaiveXbzrle.decode(Arrays.copyOf(delta, length), length, oracle, pageLength);
            int got;
            try {
                got = XbzrleDecoder.decode(src, 0, length, memory, GUARD, pageLength);
                assertEquals(expected, got, what);
            } catch (StreamFormatException e) {
                assertEquals("Failed to load XBZRLE page - decode error!", e.getMessage(), what);
                assertEquals(NaiveXbzrle.ERROR, expected, what + ": the oracle decodes it");
                got = NaiveXbzrle.ERROR;
            }
            assertArrayEquals(oracle, memory.asSlice(GUARD, pageLength).toArray(ValueLayout.JAVA_BYTE), what);
            for (long k = 0; k < GUARD; k++) {
                assertEquals(GUARD_BYTE, memory.get(ValueLayout.JAVA_BYTE, k), what + " guard before");
            }
            for (long k = GUARD + pageLength; k < GUARD + pageLength + GUARD; k++) {
                assertEquals(GUARD_BYTE, memory.get(ValueLayout.JAVA_BYTE, k), what + " guard after");
            }
            // An exact-size slice: a write or read outside would throw IndexOutOfBoundsException.
            try {
                MemorySegment.copy(MemorySegment.ofArray(before), 0, memory, GUARD, pageLength);
                XbzrleDecoder.decode(src.asSlice(0, length), length, memory.asSlice(GUARD, pageLength), pageLength);
            } catch (StreamFormatException e) {
                assertEquals(NaiveXbzrle.ERROR, expected, what);
            }
            assertTrue(max >= pageLength);
            return got != NaiveXbzrle.ERROR;
        }
    }
}
