package dev.tern.core.precopy;

import dev.tern.api.DirtyPageReporter;
import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import dev.tern.core.guest.ReferenceGuest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A source guest for XBZRLE tests: a reference guest with two "devices" in its first RAM block.
 *
 * <ul>
 * <li>A display that redraws an unchanged framebuffer (a range of static non-zero pages) before
 *     every dirty sync: those pages are always dirty and never change, so XBZRLE sends nothing
 *     for them, yet they keep the pending size above a slow migration's threshold. Without them
 *     a pass that XBZRLE makes a few milliseconds short could end while a starved vCPU thread
 *     wrote nothing, the sync would find no dirty page, and the migration would complete
 *     before the test let it (spec 5.3: pending 0 completes).</li>
 * <li>Optionally, {@link #scramble} starts a thread that rewrites whole pages of another range
 *     with random bytes (reported as VMM writes): their deltas overflow.</li>
 * </ul>
 * Both stop while the vCPUs are paused, so the guest's RAM is still once it is stopped.
 */
public final class XbzrleGuest implements Guest, AutoCloseable {
    private static final int P = 4096;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ReferenceGuest base;
    private final RamBlock block;
    private final long redrawFrom;
    private final long redrawTo;
    private final DirtyLog log;
    private final VcpuControl vcpus;
    private final Object lock = new Object();
    private boolean paused;
    private boolean closed;
    private long scrambled;
    private Thread scrambler;

    /**
     * Wraps a guest and fills its framebuffer.
     *
     * @param base the guest, its vCPUs not writing {@code [redrawFrom, redrawTo)} of its first block
     * @param redrawFrom the framebuffer's first byte, page aligned
     * @param redrawTo its end, page aligned
     */
    public XbzrleGuest(ReferenceGuest base, long redrawFrom, long redrawTo) {
        this.base = base;
        this.block = base.ramBlocks().getFirst();
        this.redrawFrom = redrawFrom;
        this.redrawTo = redrawTo;
        SplittableRandom random = new SplittableRandom(7);
        for (long o = redrawFrom; o < redrawTo; o += 8) {
            block.memory().set(WORD, o, random.nextLong() | 1);
        }
        DirtyLog inner = base.dirtyLog().orElseThrow();
        this.log = new DirtyLog() {
            @Override
            public void start() {
                inner.start();
            }

            @Override
            public void stop() {
                inner.stop();
            }

            @Override
            public long syncInto(RamBlock b, MemorySegment bitmap) {
                long n = inner.syncInto(b, bitmap);
                return b == block ? n + redraw(bitmap) : n;
            }
        };
        VcpuControl innerVcpus = base.vcpus().orElseThrow();
        this.vcpus = new VcpuControl() {
            @Override
            public int vcpuCount() {
                return innerVcpus.vcpuCount();
            }

            @Override
            public void pause() {
                synchronized (lock) {
                    paused = true; // a page being scrambled is written and reported first
                }
                innerVcpus.pause();
            }

            @Override
            public void resume() {
                synchronized (lock) {
                    paused = false;
                    lock.notifyAll();
                }
                innerVcpus.resume();
            }

            @Override
            public boolean running() {
                return innerVcpus.running();
            }

            @Override
            public void setThrottle(int percent) {
                innerVcpus.setThrottle(percent);
            }
        };
    }

    /** Marks the framebuffer's pages dirty; returns how many were not already. */
    private long redraw(MemorySegment bitmap) {
        synchronized (lock) {
            if (paused) {
                return 0; // a stopped guest's display draws nothing
            }
        }
        long added = 0;
        for (long page = redrawFrom / P; page < redrawTo / P; page++) {
            long at = (page >>> 6) * Long.BYTES;
            long word = bitmap.get(WORD, at);
            long bit = 1L << page;
            if ((word & bit) == 0) {
                bitmap.set(WORD, at, word | bit);
                added++;
            }
        }
        return added;
    }

    /**
     * Starts rewriting every page of {@code [from, to)} of the first block with random bytes,
     * round after round, reporting each to {@code reporter}.
     *
     * @param reporter the VM's {@code vmmWrites()}
     * @param from the first page, page aligned, outside the workload's and the framebuffer's range
     * @param to the end, page aligned
     */
    public void scramble(DirtyPageReporter reporter, long from, long to) {
        MemorySegment ram = block.memory();
        scrambler = Thread.ofPlatform().daemon().name("scrambler").start(() -> {
            SplittableRandom random = new SplittableRandom(42);
            while (true) {
                for (long offset = from; offset < to; offset += P) {
                    synchronized (lock) {
                        while (paused && !closed) {
                            try {
                                lock.wait();
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        if (closed) {
                            return;
                        }
                        for (int i = 0; i < P; i += 8) {
                            ram.set(WORD, offset + i, random.nextLong());
                        }
                        reporter.written(block, offset, P);
                        scrambled++;
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * Pages the scrambler rewrote so far.
     *
     * @return the count
     */
    public long pagesScrambled() {
        synchronized (lock) {
            return scrambled;
        }
    }

    @Override
    public String machineType() {
        return base.machineType();
    }

    @Override
    public List<RamBlock> ramBlocks() {
        return base.ramBlocks();
    }

    @Override
    public List<DeviceSection> devices() {
        return base.devices();
    }

    @Override
    public Optional<UUID> uuid() {
        return base.uuid();
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        return Optional.of(log);
    }

    @Override
    public Optional<VcpuControl> vcpus() {
        return Optional.of(vcpus);
    }

    /** Stops the scrambler (before the wrapped guest's RAM is freed). */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        if (scrambler != null) {
            try {
                scrambler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
