package dev.tern.core.dirtyrate;

import dev.tern.api.MigrationException;
import dev.tern.api.dirtyrate.DirtyRateInfo;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.dirtyrate.DirtyRateStatus;
import dev.tern.api.dirtyrate.DirtyRateVcpu;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.VcpuControl;
import dev.tern.core.vm.Uninterruptibly;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;

/**
 * The guest's dirty-page rate as QEMU 7.2 measures it: QAPI {@code calc-dirty-rate} starts a
 * measurement on a background thread, {@code query-dirty-rate} reports it (spec §11.1–11.5).
 *
 * <p>Three modes: {@code page-sampling} hashes a random sample of guest pages (needs nothing but
 * the RAM blocks), {@code dirty-ring} reads the per-vCPU ring counters (needs {@link DirtyRing}
 * and {@link VcpuControl}), {@code dirty-bitmap} counts the pages the {@link DirtyLog} reports
 * (needs a dirty log and, as in QEMU, no dirty ring).
 *
 * <p>The dirty-bitmap mode starts, syncs and stops the guest's dirty log; while a migration owns
 * that log the two would disturb each other, so the engine should not offer this mode during a
 * migration. The class is thread-safe.
 */
public final class DirtyRateMeter implements AutoCloseable {
    static final long MIN_CALC_TIME_SEC = 1;
    static final long MAX_CALC_TIME_SEC = 60;
    static final long MIN_SAMPLE_PAGES = 128;
    static final long MAX_SAMPLE_PAGES = 16384;
    static final long DEFAULT_SAMPLE_PAGES = 512;

    private static final System.Logger LOG = System.getLogger(DirtyRateMeter.class.getName());

    private final Guest guest;
    private final InstantSource clock;
    private final Pause pause;
    private final RandomGenerator random;

    private final Object lock = new Object();
    // QEMU's CalculatingState, dirtyrate_mode and DirtyStat; all guarded by lock.
    private DirtyRateStatus status = DirtyRateStatus.UNSTARTED;
    private DirtyRateMeasureMode mode = DirtyRateMeasureMode.PAGE_SAMPLING;
    private long startTime;
    private long calcTime;
    private long samplePages;
    private long dirtyRate;
    private List<DirtyRateVcpu> vcpuRates = List.of();
    // From start() until the thread has published its result; "already being measured" while set.
    private boolean active;
    private boolean closed;
    private Thread thread;
    private CountDownLatch stop;

    /**
     * Creates the meter of a guest; nothing is measured until {@link #start}.
     *
     * @param guest the guest
     * @param clock the wall clock for {@code start-time} and the measured period
     */
    public DirtyRateMeter(Guest guest, InstantSource clock) {
        this(guest, clock, Pause.REAL, new SplittableRandom());
    }

    DirtyRateMeter(Guest guest, InstantSource clock, Pause pause, RandomGenerator random) {
        this.guest = Objects.requireNonNull(guest, "guest");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * QAPI {@code calc-dirty-rate}: validates in QEMU's order, resets the result to
     * {@code unstarted} and starts the measurement on a daemon thread named
     * {@code get_dirtyrate}, which moves the status to {@code measuring} and then
     * {@code measured}. Returns immediately.
     *
     * @param calcTime {@code calc-time}: the period in seconds, 1 to 60
     * @param samplePages {@code sample-pages}: pages sampled per GiB, 128 to 16384, default 512;
     *     refused in {@code dirty-ring} mode, accepted and ignored in {@code dirty-bitmap} mode
     * @param mode {@code mode}, default {@code page-sampling}
     * @throws MigrationException "the dirty rate is already being measured.",
     *     "calc-time is out of range[1, 60].", "either sample-pages or dirty-ring can be
     *     specified.", "sample-pages is out of range[128, 16384].", "mode %s is not enabled, use
     *     other method instead." (dirty-ring without a dirty ring, dirty-bitmap with one), or a
     *     message naming {@link VcpuControl} or {@link DirtyLog} when the mode needs one the guest
     *     lacks
     * @throws IllegalStateException after {@link #close()}
     */
    public void start(long calcTime, OptionalLong samplePages, Optional<DirtyRateMeasureMode> mode) {
        Objects.requireNonNull(samplePages, "samplePages");
        Objects.requireNonNull(mode, "mode");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the dirty rate meter is closed");
            }
            if (active) {
                throw DirtyRateErrors.alreadyMeasuring();
            }
            if (calcTime < MIN_CALC_TIME_SEC || calcTime > MAX_CALC_TIME_SEC) {
                throw DirtyRateErrors.calcTimeOutOfRange();
            }
            DirtyRateMeasureMode chosen = mode.orElse(DirtyRateMeasureMode.PAGE_SAMPLING);
            if (samplePages.isPresent() && chosen == DirtyRateMeasureMode.DIRTY_RING) {
                throw DirtyRateErrors.samplePagesWithDirtyRing();
            }
            long pages = samplePages.orElse(DEFAULT_SAMPLE_PAGES);
            if (pages < MIN_SAMPLE_PAGES || pages > MAX_SAMPLE_PAGES) {
                throw DirtyRateErrors.samplePagesOutOfRange();
            }
            Optional<DirtyRing> ring = guest.dirtyRing();
            if (chosen == DirtyRateMeasureMode.DIRTY_RING && ring.isEmpty()
                    || chosen == DirtyRateMeasureMode.DIRTY_BITMAP && ring.isPresent()) {
                throw DirtyRateErrors.modeNotEnabled(chosen);
            }
            Measurement measurement = measurement(chosen, ring, calcTime, pages);

            status = DirtyRateStatus.UNSTARTED;
            this.mode = chosen;
            this.startTime = clock.millis() / 1000;
            this.calcTime = calcTime;
            this.samplePages = pages;
            this.dirtyRate = -1;
            this.vcpuRates = List.of();
            Uninterruptibly.join(thread);
            CountDownLatch latch = new CountDownLatch(1);
            stop = latch;
            active = true;
            thread = Thread.ofPlatform().daemon().name("get_dirtyrate").unstarted(() -> run(measurement, latch));
            thread.start();
        }
    }

    private Measurement measurement(DirtyRateMeasureMode chosen, Optional<DirtyRing> ring, long seconds, long pages) {
        return switch (chosen) {
            case PAGE_SAMPLING -> latch -> PageSampling.measure(guest, pages, seconds, clock, pause, random, latch);
            case DIRTY_RING -> {
                int vcpus = guest.vcpus().map(VcpuControl::vcpuCount)
                        .orElseThrow(DirtyRateErrors::ringModeNeedsVcpuControl);
                DirtyRing rings = ring.orElseThrow();
                yield latch -> ringOutcome(rings, vcpus, seconds, latch);
            }
            case DIRTY_BITMAP -> {
                DirtyLog log = guest.dirtyLog().orElseThrow(DirtyRateErrors::bitmapModeNeedsDirtyLog);
                yield latch -> BitmapCounting.measure(log, guest.ramBlocks(), seconds, clock, pause, latch);
            }
        };
    }

    /** QEMU's {@code calculate_dirtyrate_dirty_ring}: the VM rate is the sum of the vCPU rates. */
    private Outcome ringOutcome(DirtyRing ring, int vcpus, long seconds, CountDownLatch latch)
            throws InterruptedException {
        long start = clock.millis() / 1000;
        VcpuDirtyRates.Sample sample = VcpuDirtyRates.measure(ring, vcpus, clock, pause, seconds * 1000, latch);
        if (sample == null) {
            return null;
        }
        long sum = 0;
        List<DirtyRateVcpu> rates = new ArrayList<>(sample.vcpus());
        for (int i = 0; i < sample.vcpus(); i++) {
            rates.add(new DirtyRateVcpu(i, sample.rate(i)));
            sum += sample.rate(i);
        }
        return new Outcome(start, sample.durationMs() / 1000, sum, Optional.of(rates));
    }

    private void run(Measurement measurement, CountDownLatch latch) {
        synchronized (lock) {
            status = DirtyRateStatus.MEASURING;
        }
        Outcome outcome = null;
        try {
            outcome = measurement.run(latch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // QEMU's measurement cannot fail; a VMM callback that throws leaves the rate at -1.
            LOG.log(System.Logger.Level.WARNING, "dirty rate measurement failed", e);
        } finally {
            synchronized (lock) {
                if (outcome != null) {
                    startTime = outcome.startTimeSec();
                    calcTime = outcome.calcTimeSec();
                    dirtyRate = outcome.dirtyRate();
                    vcpuRates = outcome.vcpuRates().orElse(List.of());
                }
                status = DirtyRateStatus.MEASURED;
                active = false;
            }
        }
    }

    /**
     * QAPI {@code query-dirty-rate}. {@code status}, {@code start-time}, {@code calc-time},
     * {@code sample-pages} and {@code mode} are always present; {@code dirty-rate} only once
     * {@code measured} (−1 if page sampling found no block to sample); {@code vcpu-dirty-rate}
     * only when measured in dirty-ring mode; {@code sample-pages} reads 0 when measured in
     * dirty-ring or dirty-bitmap mode. Before any measurement: {@code unstarted}, zeros,
     * {@code page-sampling}.
     *
     * @return the current result
     */
    public DirtyRateInfo query() {
        synchronized (lock) {
            DirtyRateInfo.Builder info = DirtyRateInfo.builder()
                    .status(status)
                    .startTime(startTime)
                    .calcTime(calcTime)
                    .samplePages(samplePages)
                    .mode(mode);
            if (status == DirtyRateStatus.MEASURED) {
                info.dirtyRate(dirtyRate);
                if (mode == DirtyRateMeasureMode.DIRTY_RING) {
                    info.samplePages(0).vcpuDirtyRate(vcpuRates);
                } else if (mode == DirtyRateMeasureMode.DIRTY_BITMAP) {
                    info.samplePages(0);
                }
            }
            return info.build();
        }
    }

    /**
     * Ends a running measurement early and waits for its thread to exit; afterwards
     * {@link #start} refuses and {@link #query} keeps answering. Idempotent.
     */
    @Override
    public void close() {
        Thread last;
        synchronized (lock) {
            closed = true;
            if (stop != null) {
                stop.countDown();
            }
            last = thread;
        }
        Uninterruptibly.join(last);
    }

    /** One measurement, run on the meter's thread. */
    @FunctionalInterface
    private interface Measurement {
        Outcome run(CountDownLatch stop) throws InterruptedException;
    }
}
