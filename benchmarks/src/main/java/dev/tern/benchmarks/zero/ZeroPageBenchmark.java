package dev.tern.benchmarks.zero;

import dev.tern.core.stream.ZeroPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The RAM saver's zero-page check ({@link ZeroPages#isZero(MemorySegment, long, long)}, QEMU's
 * {@code buffer_is_zero}) on 4 KiB pages, beside two baselines in the same run: a plain
 * byte-at-a-time loop and {@link MemorySegment#mismatch} against an all-zero page.
 *
 * <p>One operation is one page: each invocation checks the next {@value #PAGES_PER_CALL} pages
 * (1 MiB) of a {@code regionBytes} region of off-heap pages, so GB/s of page data =
 * 4096 / (ns/op). A 1 MiB region stays in L2, 64 MiB comes from DRAM as guest RAM does. The
 * {@code content} of every page:
 *
 * <ul>
 *   <li>{@code zero}: all zero, the full scan (and the common page of an idle guest);</li>
 *   <li>{@code firstWord}: non-zero in its first byte, so a check may stop at once;</li>
 *   <li>{@code lastByte}: non-zero only in its last byte, a full scan with a negative answer.</li>
 * </ul>
 *
 * Run with {@code -prof gc}: every benchmark should show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ZeroPageBenchmark {
    /** The target page size. */
    static final int PAGE = 4096;
    /** Pages checked per invocation: 1 MiB, the smallest region. */
    static final int PAGES_PER_CALL = 256;
    /** The all-zero page the mismatch baseline compares with, on the heap as ZeroPages' own is. */
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[PAGE]);

    /** The region's size in bytes: 1 MiB (cache-resident) to 64 MiB (from DRAM). */
    @Param({"1048576", "67108864"})
    public long regionBytes;

    /** What every page holds: {@code zero}, {@code firstWord} or {@code lastByte}. */
    @Param({"zero", "firstWord", "lastByte"})
    public String content;

    private Arena arena;
    private MemorySegment region;
    private long regionMask;
    private long next;

    /** Creates the benchmark state (JMH instantiates it). */
    public ZeroPageBenchmark() {
    }

    /** Allocates the region and marks its pages. */
    @Setup(Level.Trial)
    public void setUp() {
        if (Long.bitCount(regionBytes) != 1 || regionBytes < (long) PAGES_PER_CALL * PAGE) {
            throw new IllegalArgumentException("regionBytes must be a power of two of at least 1 MiB: " + regionBytes);
        }
        arena = Arena.ofShared();
        region = arena.allocate(regionBytes, PAGE);
        regionMask = regionBytes - 1;
        long mark = switch (content) {
            case "zero" -> -1;
            case "firstWord" -> 0;
            case "lastByte" -> PAGE - 1;
            default -> throw new IllegalArgumentException("unknown content " + content);
        };
        if (mark >= 0) {
            for (long page = 0; page < regionBytes; page += PAGE) {
                region.set(ValueLayout.JAVA_BYTE, page + mark, (byte) 0x5a);
            }
        }
    }

    /** Frees the region. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** The first byte of this invocation's 1 MiB, wrapping around the region. */
    private long nextBase() {
        long base = next;
        next = (base + (long) PAGES_PER_CALL * PAGE) & regionMask;
        return base;
    }

    /**
     * Tern's check, as the RAM saver calls it.
     *
     * @return the zero pages found, so the checks are not dead code
     */
    @Benchmark
    @OperationsPerInvocation(PAGES_PER_CALL)
    public int isZero() {
        MemorySegment memory = region;
        long base = nextBase();
        int zero = 0;
        for (int p = 0; p < PAGES_PER_CALL; p++) {
            zero += ZeroPages.isZero(memory, base + (long) p * PAGE, PAGE) ? 1 : 0;
        }
        return zero;
    }

    /**
     * Baseline: one byte at a time, stopping at the first non-zero byte.
     *
     * @return the zero pages found
     */
    @Benchmark
    @OperationsPerInvocation(PAGES_PER_CALL)
    public int byteLoop() {
        MemorySegment memory = region;
        long base = nextBase();
        int zero = 0;
        for (int p = 0; p < PAGES_PER_CALL; p++) {
            zero += byteLoopIsZero(memory, base + (long) p * PAGE) ? 1 : 0;
        }
        return zero;
    }

    /**
     * Baseline: {@link MemorySegment#mismatch} against an all-zero page.
     *
     * @return the zero pages found
     */
    @Benchmark
    @OperationsPerInvocation(PAGES_PER_CALL)
    public int mismatch() {
        MemorySegment memory = region;
        long base = nextBase();
        int zero = 0;
        for (int p = 0; p < PAGES_PER_CALL; p++) {
            long at = base + (long) p * PAGE;
            zero += MemorySegment.mismatch(memory, at, at + PAGE, ZERO, 0, PAGE) == -1 ? 1 : 0;
        }
        return zero;
    }

    private static boolean byteLoopIsZero(MemorySegment memory, long offset) {
        for (long at = offset, end = offset + PAGE; at < end; at++) {
            if (memory.get(ValueLayout.JAVA_BYTE, at) != 0) {
                return false;
            }
        }
        return true;
    }
}
