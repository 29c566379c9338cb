package dev.tern.benchmarks.multifd;

import dev.tern.api.MultiFdCompression;
import dev.tern.core.multifd.codec.PacketCodecs;
import dev.tern.core.multifd.codec.PacketCompressor;
import dev.tern.core.multifd.codec.PacketDecompressor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
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
 * Multifd payload compression (spec 9.3) per packet: one full 128-page packet (512 KiB of 4 KiB
 * pages) compressed or decompressed by a channel's persistent codec at level 1, the default of
 * {@code multifd-zlib-level} and {@code multifd-zstd-level}. One operation is one packet, so
 * GB/s of page data = 524288 / (ns/op). The in-run baseline {@link #naiveZlibCompress} is what a
 * straightforward implementation does: a new one-shot Deflater for every packet.
 *
 * <p>Compression cycles through {@link #DISTINCT} different packets (4 MiB, beyond zstd level 1's
 * 512 KiB window and zlib's 32 KiB one), so no packet finds its previous copy in the window.
 * Decompression replays {@link #RING} payloads of one continuous channel stream; a stream cannot
 * restart in the middle, so at the end of the ring a fresh decompressor begins again from the
 * first payload (one Inflater or zstd context made per 128 packets, the only allocation there).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PacketCompressionBenchmark {
    /** The target page size. */
    static final int PAGE = 4096;
    /** Pages in a full packet: 512 KiB / page. */
    static final int PAGES = 128;
    /** Different packets the compression benchmarks cycle through. */
    static final int DISTINCT = 8;
    /** Payloads of one channel stream the decompression benchmarks replay. */
    static final int RING = 128;
    private static final String[] WORDS = {"migration", "multifd", "page ", "zlib", "the ", "of ", "guest",
        "channel ", "packet", "\n", "0x7f3a", "QEMU ", "{\"execute\": ", "ram", " = ", "; "};

    /** zlib or zstd. */
    @Param({"zlib", "zstd"})
    public String method;

    /**
     * Page contents: {@code random} (incompressible), {@code text-like} (words and punctuation),
     * {@code half-zero} (each page half zero bytes, half random).
     */
    @Param({"random", "text-like", "half-zero"})
    public String content;

    private Arena arena;
    private ByteBuffer[][] packets;
    private ByteBuffer[] destination;
    private PacketCompressor compressor;
    private ByteBuffer out;
    private ByteBuffer[] payloads;
    private PacketDecompressor decompressor;
    private MultiFdCompression compression;
    private int nextPacket;
    private int nextPayload;

    /** Creates the benchmark state (JMH instantiates it). */
    public PacketCompressionBenchmark() {
    }

    /**
     * Builds the pages off-heap like guest RAM, the codecs, and the payload ring.
     *
     * @throws IOException never: the codec compresses valid pages into a large enough buffer
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        compression = MultiFdCompression.fromQapi(method);
        arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(2026);
        packets = new ByteBuffer[DISTINCT][];
        for (int p = 0; p < DISTINCT; p++) {
            MemorySegment region = arena.allocate((long) PAGES * PAGE, PAGE);
            fill(region, random);
            packets[p] = views(region);
        }
        destination = views(arena.allocate((long) PAGES * PAGE, PAGE));
        compressor = PacketCodecs.compressor(compression, 1, PAGE, 0);
        out = ByteBuffer.allocateDirect(compressor.outputBound(PAGES));
        payloads = new ByteBuffer[RING];
        try (PacketCompressor channel = PacketCodecs.compressor(compression, 1, PAGE, 0)) {
            for (int i = 0; i < RING; i++) {
                ByteBuffer[] pages = rewound(packets[i % DISTINCT]);
                out.clear();
                channel.compress(pages, PAGES, out);
                out.flip();
                payloads[i] = ByteBuffer.allocateDirect(out.remaining()).put(out).flip();
            }
        }
        decompressor = PacketCodecs.decompressor(compression, PAGE, 0);
    }

    private void fill(MemorySegment region, SplittableRandom random) {
        for (int page = 0; page < PAGES; page++) {
            MemorySegment p = region.asSlice((long) page * PAGE, PAGE);
            switch (content) {
                case "random" -> randomBytes(p, 0, PAGE, random);
                case "half-zero" -> randomBytes(p, random.nextBoolean() ? 0 : PAGE / 2, PAGE / 2, random);
                case "text-like" -> {
                    int b = 0;
                    while (b < PAGE) {
                        String word = WORDS[random.nextInt(WORDS.length)];
                        for (int c = 0; c < word.length() && b < PAGE; c++, b++) {
                            p.set(ValueLayout.JAVA_BYTE, b, (byte) word.charAt(c));
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown content " + content);
            }
        }
    }

    private static void randomBytes(MemorySegment page, int from, int length, SplittableRandom random) {
        for (int b = from; b < from + length; b += 8) {
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, b, random.nextLong());
        }
    }

    private static ByteBuffer[] views(MemorySegment region) {
        ByteBuffer[] views = new ByteBuffer[PAGES];
        for (int i = 0; i < PAGES; i++) {
            views[i] = region.asSlice((long) i * PAGE, PAGE).asByteBuffer();
        }
        return views;
    }

    private static ByteBuffer[] rewound(ByteBuffer[] views) {
        for (ByteBuffer view : views) {
            view.clear();
        }
        return views;
    }

    /** Frees codecs and pages. */
    @TearDown(Level.Trial)
    public void tearDown() {
        compressor.close();
        decompressor.close();
        arena.close();
    }

    /**
     * The channel's persistent compressor on the next packet.
     *
     * @return the payload size
     * @throws IOException never
     */
    @Benchmark
    public int compress() throws IOException {
        ByteBuffer[] pages = rewound(packets[nextPacket]);
        nextPacket = (nextPacket + 1) % DISTINCT;
        out.clear();
        return compressor.compress(pages, PAGES, out);
    }

    /**
     * The channel's persistent decompressor on the next payload of the ring.
     *
     * @return the destination's first byte
     * @throws IOException never: the payloads are valid in this order
     */
    @Benchmark
    public byte decompress() throws IOException {
        if (nextPayload == RING) {
            decompressor.close();
            decompressor = PacketCodecs.decompressor(compression, PAGE, 0);
            nextPayload = 0;
        }
        ByteBuffer payload = payloads[nextPayload++];
        payload.rewind();
        decompressor.decompress(payload, rewound(destination), PAGES);
        return destination[0].get(0);
    }

    /**
     * Baseline: a new zlib Deflater at level 1 per packet, fed page by page and finished, as a
     * naive implementation would (zstd runs measure the same zlib baseline).
     *
     * @return the payload size
     */
    @Benchmark
    public int naiveZlibCompress() {
        ByteBuffer[] pages = rewound(packets[nextPacket]);
        nextPacket = (nextPacket + 1) % DISTINCT;
        out.clear();
        Deflater deflater = new Deflater(1);
        try {
            for (int i = 0; i < PAGES; i++) {
                deflater.setInput(pages[i]);
                if (i == PAGES - 1) {
                    deflater.finish();
                }
                while (!deflater.needsInput() || (i == PAGES - 1 && !deflater.finished())) {
                    deflater.deflate(out, Deflater.NO_FLUSH);
                }
            }
            return out.position();
        } finally {
            deflater.end();
        }
    }
}
