package dev.tern.benchmarks.dirty;

import dev.tern.core.dirty.DirtyBitmap;
import java.util.BitSet;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The migration thread's walk over the dirty bitmap of 1 GiB of guest RAM (262,144 pages of
 * 4 KiB) with {@link DirtyBitmap#nextSetBit}, beside {@link BitSet#nextSetBit} over the same bits
 * as the baseline of the same run. One operation is one whole scan, so ns/op is ns per GiB of
 * RAM scanned.
 *
 * <p>{@code dirtyPercent} of the pages are set, chosen at random: 0 (a scan that finds nothing,
 * the cost of one load per 64 pages), 0.1 and 1 (an idle guest's later passes), 10, and 100 (the
 * first pass, one {@code nextSetBit} call per page). The scan only reads, so every operation
 * sees the same bits. Run with {@code -prof gc}: both should show 0 B/op (a few bytes per
 * millisecond-long operation are JMH's own).
 *
 * <p>At 0 % the baseline is not a scan: a {@link BitSet} keeps the count of words in use and
 * answers -1 without reading any, while the migration bitmap has a fixed size and reads all 4,096
 * words, 32 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class DirtyBitmapScanBenchmark {
    /** Pages in 1 GiB of 4 KiB pages. */
    static final int PAGES = (1 << 30) / 4096;

    /** Percentage of the pages that are dirty. */
    @Param({"0", "0.1", "1", "10", "100"})
    public double dirtyPercent;

    private DirtyBitmap bitmap;
    private BitSet bitSet;

    /** Creates the benchmark state (JMH instantiates it). */
    public DirtyBitmapScanBenchmark() {
    }

    /** Sets the same random pages in both representations. */
    @Setup(Level.Trial)
    public void setUp() {
        bitmap = new DirtyBitmap(PAGES);
        bitSet = new BitSet(PAGES);
        long wanted = Math.round(PAGES * dirtyPercent / 100.0);
        if (wanted == PAGES) {
            bitmap.setAll();
            bitSet.set(0, PAGES);
            return;
        }
        SplittableRandom random = new SplittableRandom(42);
        while (bitSet.cardinality() < wanted) {
            int page = random.nextInt(PAGES);
            bitSet.set(page);
            bitmap.set(page);
        }
        if (bitmap.count() != wanted) {
            throw new IllegalStateException("the two bitmaps differ: " + bitmap.count() + " vs " + wanted);
        }
    }

    /**
     * Every dirty page of 1 GiB found with {@link DirtyBitmap#nextSetBit}.
     *
     * @return the sum of the pages found, so the scan is not dead code
     */
    @Benchmark
    public long dirtyBitmap() {
        DirtyBitmap local = bitmap;
        long sum = 0;
        for (long p = local.nextSetBit(0); p >= 0; p = local.nextSetBit(p + 1)) {
            sum += p;
        }
        return sum;
    }

    /**
     * Baseline: the same walk over a {@link BitSet}.
     *
     * @return the sum of the pages found
     */
    @Benchmark
    public long bitSet() {
        BitSet local = bitSet;
        long sum = 0;
        for (int p = local.nextSetBit(0); p >= 0; p = local.nextSetBit(p + 1)) {
            sum += p;
        }
        return sum;
    }
}
