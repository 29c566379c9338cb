package dev.tern.benchmarks.xbzrle;

import dev.tern.core.xbzrle.XbzrleDecoder;
import dev.tern.core.xbzrle.XbzrleEncoder;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * XBZRLE per-page cost: {@link XbzrleEncoder#encode} and {@link XbzrleDecoder#decode} on 4 KiB
 * pages with a given share of bytes changed, beside a plain byte-loop encoder (QEMU's algorithm
 * without its word-at-a-time loops) as the in-run baseline. One operation is one page, so
 * GB/s of page data = 4096 / (ns/op).
 *
 * <p>Each operation takes the next of {@link #PAIRS} different page pairs (1 MiB of pages and
 * deltas, cache-resident like the pages the RAM saver has just read) so the branch predictor
 * cannot learn one page's run pattern. {@code scattered} changes each byte independently
 * (the worst case: the most runs for the share); {@code clustered} puts the changed bytes in a
 * few contiguous ranges. At 50% scattered the encoding does not fit a page and the encoder
 * overflows, as QEMU's does; the decode benchmark then decodes a delta encoded with room to spare.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class XbzrleBenchmark {
    /** The target page size. */
    static final int PAGE = 4096;
    /** Distinct page pairs cycled through. */
    static final int PAIRS = 64;

    /** Percentage of the page's bytes that differ between the old and new version. */
    @Param({"0", "0.1", "1", "10", "50"})
    public double changedPercent;

    /** How the changed bytes are laid out: {@code scattered} or {@code clustered}. */
    @Param({"scattered", "clustered"})
    public String layout;

    private Arena arena;
    private MemorySegment olds;
    private MemorySegment news;
    private MemorySegment deltas;
    private int[] deltaLengths;
    private MemorySegment dst;
    private MemorySegment scratch;
    private int next;

    /** Creates the benchmark state (JMH instantiates it). */
    public XbzrleBenchmark() {
    }

    /** Builds the page pairs and their deltas, off-heap like guest RAM and the cache. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        olds = arena.allocate((long) PAIRS * PAGE, PAGE);
        news = arena.allocate((long) PAIRS * PAGE, PAGE);
        deltas = arena.allocate((long) PAIRS * 2 * PAGE, PAGE);
        deltaLengths = new int[PAIRS];
        dst = arena.allocate(PAGE, PAGE);
        scratch = arena.allocate(PAGE, PAGE);
        SplittableRandom random = new SplittableRandom(20_250_101L + Math.round(changedPercent * 10));
        double fraction = changedPercent / 100.0;
        for (int p = 0; p < PAIRS; p++) {
            long base = (long) p * PAGE;
            for (int i = 0; i < PAGE; i++) {
                byte b = (byte) random.nextInt(256);
                olds.set(ValueLayout.JAVA_BYTE, base + i, b);
                news.set(ValueLayout.JAVA_BYTE, base + i, b);
            }
            if (layout.equals("scattered")) {
                for (int i = 0; i < PAGE; i++) {
                    if (random.nextDouble() < fraction) {
                        change(random, base + i);
                    }
                }
            } else {
                int left = (int) Math.round(fraction * PAGE);
                while (left > 0) {
                    int size = Math.min(left, 1 + random.nextInt(Math.max(1, left)));
                    int start = random.nextInt(PAGE - size + 1);
                    for (int i = start; i < start + size; i++) {
                        change(random, base + i);
                    }
                    left -= size;
                }
            }
            deltaLengths[p] = XbzrleEncoder.encode(olds, base, news, base, PAGE, deltas, 2L * p * PAGE, 2 * PAGE);
            if (deltaLengths[p] < 0) {
                throw new IllegalStateException("a page pair does not encode even with room to spare");
            }
        }
    }

    private void change(SplittableRandom random, long at) {
        byte old = olds.get(ValueLayout.JAVA_BYTE, at);
        news.set(ValueLayout.JAVA_BYTE, at, (byte) (old ^ (1 + random.nextInt(255))));
    }

    /** Frees the pages. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /**
     * Tern's encoder into a page-sized buffer, as the RAM saver calls it.
     *
     * @return the encoded length, 0 or -1
     */
    @Benchmark
    public int encode() {
        long base = nextBase();
        return XbzrleEncoder.encode(olds, base, news, base, PAGE, dst, 0, PAGE);
    }

    /**
     * The plain byte-loop encoder, the baseline of the same run.
     *
     * @return the encoded length, 0 or -1
     */
    @Benchmark
    public int encodeByteLoop() {
        long base = nextBase();
        return byteLoopEncode(olds, base, news, base, PAGE, dst, PAGE);
    }

    /**
     * Tern's decoder applying a delta to a page.
     *
     * @return the offset past the last changed byte
     * @throws IOException never: the deltas are valid
     */
    @Benchmark
    public int decode() throws IOException {
        int p = next;
        next = (p + 1) & (PAIRS - 1);
        return XbzrleDecoder.decode(deltas, 2L * p * PAGE, deltaLengths[p], scratch, 0, PAGE);
    }

    private long nextBase() {
        int p = next;
        next = (p + 1) & (PAIRS - 1);
        return (long) p * PAGE;
    }

    /** QEMU's algorithm, one byte at a time. */
    static int byteLoopEncode(MemorySegment a, long ao, MemorySegment b, long bo, int slen, MemorySegment out,
            int dlen) {
        int d = 0;
        int i = 0;
        while (i < slen) {
            if (d + 2 > dlen) {
                return -1;
            }
            int zrun = 0;
            while (i < slen && a.get(ValueLayout.JAVA_BYTE, ao + i) == b.get(ValueLayout.JAVA_BYTE, bo + i)) {
                zrun++;
                i++;
            }
            if (zrun == slen) {
                return 0;
            }
            if (i == slen) {
                return d;
            }
            d += uleb(out, d, zrun);
            if (d + 2 > dlen) {
                return -1;
            }
            int start = i;
            while (i < slen && a.get(ValueLayout.JAVA_BYTE, ao + i) != b.get(ValueLayout.JAVA_BYTE, bo + i)) {
                i++;
            }
            int nzrun = i - start;
            d += uleb(out, d, nzrun);
            if (d + nzrun > dlen) {
                return -1;
            }
            MemorySegment.copy(b, bo + start, out, d, nzrun);
            d += nzrun;
        }
        return d;
    }

    private static int uleb(MemorySegment out, int at, int n) {
        if (n < 0x80) {
            out.set(ValueLayout.JAVA_BYTE, at, (byte) n);
            return 1;
        }
        out.set(ValueLayout.JAVA_BYTE, at, (byte) (n | 0x80));
        out.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (n >>> 7));
        return 2;
    }
}
