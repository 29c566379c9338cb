package dev.tern.benchmarks.dirty;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.DirtyBitmap;
import dev.tern.core.dirty.VmmWriteLog;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * The cost of a device thread's {@code written()} report (issue 4 section 5) on the Agrona ring
 * ({@link VmmWriteLog}) against the atomic-bitmap log it replaced ({@link AtomicBitmapWriteLog}),
 * in the same run:
 *
 * <ul>
 *   <li>{@code ringP1} / {@code bitmapP1}: one producer while the migration thread drains all
 *       blocks in a loop (the worst case for producers: the consumer never rests);</li>
 *   <li>{@code ringP2} / {@code bitmapP2}: two producers and the draining consumer;</li>
 *   <li>{@code ringPaced} / {@code bitmapPaced}: one producer while the consumer drains every
 *       millisecond, nearer a real precopy's rhythm of syncs;</li>
 *   <li>{@code ringIdle} / {@code bitmapIdle}: one producer and no migration, so nothing drains
 *       and the ring, once full, sends every report to its overflow bitmap.</li>
 * </ul>
 *
 * Writes are 1 page ({@code bytes=4096}) or 16 pages ({@code bytes=65536}, a virtio-blk read)
 * at precomputed random offsets over three blocks. The ring has {@code ringBytes} bytes, 1 MiB
 * (the default) unless {@code -p ringBytes=...} sweeps it: a smaller ring stays in cache but
 * sends more reports to its overflow bitmap. Run with {@code -prof gc}: every per-call path
 * should show 0 B/op. The scan of the bitmaps these reports land in is
 * {@link DirtyBitmapScanBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class DirtyQueueBenchmark {
    private static final int PAGE = 4096;
    /** Blocks of 64, 16 and 16 MiB: enough pages that writers rarely share a bitmap word. */
    private static final long[] BLOCK_BYTES = {64L << 20, 16L << 20, 16L << 20};
    /** Precomputed write positions per thread; a power of two so the cursor wraps with a mask. */
    private static final int POSITIONS = 1 << 12;
    /** The paced consumer's rest between drains. */
    private static final long PACE_NANOS = 1_000_000;

    /** Creates the benchmark (JMH instantiates it). */
    public DirtyQueueBenchmark() {
    }

    /** The guest's blocks and both logs over them, shared by the producers and the consumer. */
    @State(Scope.Group)
    public static class Logs {
        /** Bytes per report: 1 page or 16 pages. */
        @Param({"4096", "65536"})
        public int bytes;

        /** The ring's capacity in bytes: {@link VmmWriteLog#DEFAULT_RING_BYTES} unless swept. */
        @Param({"1048576"})
        public int ringBytes;

        Arena arena;
        RamBlock[] blocks;
        VmmWriteLog ring;
        AtomicBitmapWriteLog bitmap;
        DirtyBitmap[] targets;

        /** Creates the logs state (JMH instantiates it). */
        public Logs() {
        }

        /** Allocates the blocks and both logs. */
        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            blocks = new RamBlock[BLOCK_BYTES.length];
            targets = new DirtyBitmap[BLOCK_BYTES.length];
            for (int b = 0; b < blocks.length; b++) {
                blocks[b] = RamBlock.of("block" + b, arena.allocate(BLOCK_BYTES[b], PAGE));
                targets[b] = new DirtyBitmap(BLOCK_BYTES[b] / PAGE);
            }
            ring = new VmmWriteLog(List.of(blocks), ringBytes);
            bitmap = new AtomicBitmapWriteLog(List.of(blocks));
        }

        /** Frees the blocks. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** One producer thread's precomputed random write positions. */
    @State(Scope.Thread)
    public static class Cursor {
        final int[] block = new int[POSITIONS];
        final long[] offset = new long[POSITIONS];
        int next;

        /** Creates a cursor (JMH instantiates it). */
        public Cursor() {
        }

        /**
         * Draws the positions: blocks weighted by size, offsets anywhere a write of
         * {@code logs.bytes} fits, not page aligned.
         *
         * @param logs the shared state, for the write size
         */
        @Setup(Level.Trial)
        public void setUp(Logs logs) {
            SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
            for (int i = 0; i < POSITIONS; i++) {
                int b = random.nextInt(6);
                b = b < 4 ? 0 : b - 3;
                block[i] = b;
                offset[i] = random.nextLong(BLOCK_BYTES[b] - logs.bytes + 1);
            }
        }
    }

    private static void reportRing(Logs logs, Cursor cursor) {
        int i = cursor.next++ & (POSITIONS - 1);
        logs.ring.written(logs.blocks[cursor.block[i]], cursor.offset[i], logs.bytes);
    }

    private static void reportBitmap(Logs logs, Cursor cursor) {
        int i = cursor.next++ & (POSITIONS - 1);
        logs.bitmap.written(logs.blocks[cursor.block[i]], cursor.offset[i], logs.bytes);
    }

    private static long drainRing(Logs logs) {
        long moved = 0;
        for (int b = 0; b < logs.blocks.length; b++) {
            moved += logs.ring.drainInto(logs.blocks[b], logs.targets[b].words());
        }
        return moved;
    }

    private static long drainBitmap(Logs logs) {
        long moved = 0;
        for (int b = 0; b < logs.blocks.length; b++) {
            moved += logs.bitmap.drainInto(logs.blocks[b], logs.targets[b].words());
        }
        return moved;
    }

    /**
     * One report on the ring, one producer.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("ringP1")
    @GroupThreads(1)
    public void ringP1Write(Logs logs, Cursor cursor) {
        reportRing(logs, cursor);
    }

    /**
     * The migration thread's drain of every block, beside one producer.
     *
     * @param logs the logs
     * @return pages moved, so the drain is not dead code
     */
    @Benchmark
    @Group("ringP1")
    @GroupThreads(1)
    public long ringP1Drain(Logs logs) {
        return drainRing(logs);
    }

    /**
     * One report on the ring, two producers.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("ringP2")
    @GroupThreads(2)
    public void ringP2Write(Logs logs, Cursor cursor) {
        reportRing(logs, cursor);
    }

    /**
     * The migration thread's drain of every block, beside two producers.
     *
     * @param logs the logs
     * @return pages moved
     */
    @Benchmark
    @Group("ringP2")
    @GroupThreads(1)
    public long ringP2Drain(Logs logs) {
        return drainRing(logs);
    }

    /**
     * Baseline: one report on the atomic bitmap, one producer.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("bitmapP1")
    @GroupThreads(1)
    public void bitmapP1Write(Logs logs, Cursor cursor) {
        reportBitmap(logs, cursor);
    }

    /**
     * Baseline: the drain of every block, beside one producer.
     *
     * @param logs the logs
     * @return pages moved
     */
    @Benchmark
    @Group("bitmapP1")
    @GroupThreads(1)
    public long bitmapP1Drain(Logs logs) {
        return drainBitmap(logs);
    }

    /**
     * Baseline: one report on the atomic bitmap, two producers.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("bitmapP2")
    @GroupThreads(2)
    public void bitmapP2Write(Logs logs, Cursor cursor) {
        reportBitmap(logs, cursor);
    }

    /**
     * Baseline: the drain of every block, beside two producers.
     *
     * @param logs the logs
     * @return pages moved
     */
    @Benchmark
    @Group("bitmapP2")
    @GroupThreads(1)
    public long bitmapP2Drain(Logs logs) {
        return drainBitmap(logs);
    }

    /**
     * One report on the ring, one producer, while the migration thread drains every millisecond:
     * closer to a real precopy, whose syncs are far apart, than the never-resting consumer.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("ringPaced")
    @GroupThreads(1)
    public void ringPacedWrite(Logs logs, Cursor cursor) {
        reportRing(logs, cursor);
    }

    /**
     * A drain of every block, then a millisecond's rest.
     *
     * @param logs the logs
     * @return pages moved
     */
    @Benchmark
    @Group("ringPaced")
    @GroupThreads(1)
    public long ringPacedDrain(Logs logs) {
        long moved = drainRing(logs);
        LockSupport.parkNanos(PACE_NANOS);
        return moved;
    }

    /**
     * Baseline: one report on the atomic bitmap, one producer, drained every millisecond.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("bitmapPaced")
    @GroupThreads(1)
    public void bitmapPacedWrite(Logs logs, Cursor cursor) {
        reportBitmap(logs, cursor);
    }

    /**
     * Baseline: a drain of every block, then a millisecond's rest.
     *
     * @param logs the logs
     * @return pages moved
     */
    @Benchmark
    @Group("bitmapPaced")
    @GroupThreads(1)
    public long bitmapPacedDrain(Logs logs) {
        long moved = drainBitmap(logs);
        LockSupport.parkNanos(PACE_NANOS);
        return moved;
    }

    /**
     * One report on the ring with no migration draining: after the first 43,000 reports the ring
     * is full and every report takes the overflow path.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("ringIdle")
    @GroupThreads(1)
    public void ringIdleWrite(Logs logs, Cursor cursor) {
        reportRing(logs, cursor);
    }

    /**
     * Baseline: one report on the atomic bitmap with no migration draining.
     *
     * @param logs the logs
     * @param cursor this producer's positions
     */
    @Benchmark
    @Group("bitmapIdle")
    @GroupThreads(1)
    public void bitmapIdleWrite(Logs logs, Cursor cursor) {
        reportBitmap(logs, cursor);
    }
}
