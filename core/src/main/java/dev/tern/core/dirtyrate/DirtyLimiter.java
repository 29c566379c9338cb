package dev.tern.core.dirtyrate;

import dev.tern.api.MigrationException;
import dev.tern.api.dirtyrate.DirtyLimitInfo;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.VcpuControl;
import dev.tern.core.vm.Uninterruptibly;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/**
 * The vCPU dirty page rate limit of QEMU 7.2 (QAPI {@code set-vcpu-dirty-limit},
 * {@code cancel-vcpu-dirty-limit}, {@code query-vcpu-dirty-limit}; spec §11.6).
 *
 * <p>The first limit starts the service: a daemon thread named {@code dirtyrate-stat} that,
 * every 1000 ms, measures each vCPU's dirty rate from its dirty ring and moves each limited
 * vCPU's sleep per ring-full exit by {@link DirtyLimitControlLaw}, pushing it to the VMM through
 * {@link DirtyRing#setRingFullSleep}. A vCPU sleeps only while it is limited and the service
 * runs; its throttle value itself survives a cancel, as QEMU's {@code throttle_us_per_full}
 * does, and applies again if the vCPU is limited again. When no vCPU is limited any more the
 * service stops and its thread exits.
 *
 * <p>Needs {@link DirtyRing} (QEMU's KVM dirty ring) and {@link VcpuControl} for the vCPU count
 * (QEMU's {@code max_cpus}, read once here). Without a ring {@code set} fails with QEMU's text
 * and {@code cancel} is silently a no-op, as in QEMU; a ring without VcpuControl makes
 * {@code set} fail with a message naming VcpuControl and {@code cancel} a no-op, since the
 * service can never have started. The class is thread-safe.
 */
public final class DirtyLimiter implements AutoCloseable {
    /** The service's measuring window (QEMU's {@code DIRTYLIMIT_CALC_TIME_MS}). */
    static final long CALC_TIME_MS = 1000;

    private static final System.Logger LOG = System.getLogger(DirtyLimiter.class.getName());

    private final Optional<DirtyRing> ring;
    private final OptionalInt vcpuCount;
    private final InstantSource clock;
    private final Pause pause;

    private final Object lock = new Object();
    // All guarded by lock. Per vCPU, for the limiter's life (QEMU's CPUState fields):
    private final long[] throttleMicros;
    private final long[] appliedSleep;
    // QEMU's static max_dirtyrate in dirtylimit_dirty_ring_full_time: never reset.
    private long maxRateSeen;
    // The service (QEMU's dirtylimit_state and vcpu_dirty_rate_stat); quota null when not in service.
    private long[] quota;
    private boolean[] enabled;
    private long[] currentRate;
    private int limited;
    private Thread statThread;
    private CountDownLatch stop;
    private boolean closed;

    /**
     * Creates the limiter of a guest; no thread runs until the first limit is set.
     *
     * @param guest the guest
     */
    public DirtyLimiter(Guest guest) {
        this(guest, InstantSource.system(), Pause.REAL);
    }

    DirtyLimiter(Guest guest, InstantSource clock, Pause pause) {
        Objects.requireNonNull(guest, "guest");
        this.ring = guest.dirtyRing();
        this.vcpuCount = guest.vcpus().map(v -> OptionalInt.of(v.vcpuCount())).orElse(OptionalInt.empty());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pause = Objects.requireNonNull(pause, "pause");
        int n = vcpuCount.orElse(0);
        this.throttleMicros = new long[n];
        this.appliedSleep = new long[n];
    }

    /**
     * QAPI {@code set-vcpu-dirty-limit}: limits one vCPU, or all, to {@code dirtyRate} MB/s,
     * starting the service if needed. A rate of 0 cancels instead.
     *
     * @param cpuIndex {@code cpu-index}: the vCPU, or empty for all
     * @param dirtyRate {@code dirty-rate}: the limit in MB/s (uint64), 0 to cancel
     * @throws MigrationException "dirty page limit feature requires KVM with accelerator property
     *     'dirty-ring-size' set'" without a dirty ring; "incorrect cpu index specified" outside
     *     0 … vCPUs−1; a message naming VcpuControl when the guest has a ring but no VcpuControl
     * @throws IllegalStateException after {@link #close()}
     */
    public void set(OptionalLong cpuIndex, long dirtyRate) {
        Objects.requireNonNull(cpuIndex, "cpuIndex");
        if (ring.isEmpty()) {
            throw DirtyRateErrors.dirtyLimitNeedsDirtyRing();
        }
        if (vcpuCount.isEmpty()) {
            throw DirtyRateErrors.dirtyLimitNeedsVcpuControl();
        }
        checkIndex(cpuIndex);
        if (dirtyRate == 0) {
            cancel(cpuIndex);
            return;
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the dirty limiter is closed");
            }
            if (quota == null) {
                startService();
            }
            for (int vcpu : targets(cpuIndex)) {
                if (!enabled[vcpu]) {
                    limited++;
                }
                enabled[vcpu] = true;
                quota[vcpu] = dirtyRate;
                applySleep(vcpu);
            }
        }
    }

    /**
     * QAPI {@code cancel-vcpu-dirty-limit}: lifts the limit of one vCPU, or all; stops the
     * service when no vCPU remains limited. Silently does nothing without a dirty ring, without
     * VcpuControl, or when the service is not running.
     *
     * @param cpuIndex {@code cpu-index}: the vCPU, or empty for all
     * @throws MigrationException "incorrect cpu index specified" outside 0 … vCPUs−1
     */
    public void cancel(OptionalLong cpuIndex) {
        Objects.requireNonNull(cpuIndex, "cpuIndex");
        if (ring.isEmpty() || vcpuCount.isEmpty()) {
            return;
        }
        checkIndex(cpuIndex);
        Thread stopped = null;
        synchronized (lock) {
            if (quota == null) {
                return;
            }
            for (int vcpu : targets(cpuIndex)) {
                if (enabled[vcpu]) {
                    limited--;
                }
                enabled[vcpu] = false;
                quota[vcpu] = 0;
                applySleep(vcpu);
            }
            if (limited == 0) {
                stopped = stopService();
            }
        }
        // Joined outside the lock: the thread takes it to publish its last measurement.
        Uninterruptibly.join(stopped);
    }

    /**
     * QAPI {@code query-vcpu-dirty-limit}: the limited vCPUs in index order, each with its limit
     * and its rate at the last measurement (0 before the first).
     *
     * @return the limited vCPUs; empty when the service is not running
     */
    public List<DirtyLimitInfo> query() {
        synchronized (lock) {
            List<DirtyLimitInfo> infos = new ArrayList<>();
            if (quota != null) {
                for (int vcpu = 0; vcpu < quota.length; vcpu++) {
                    if (enabled[vcpu]) {
                        infos.add(new DirtyLimitInfo(vcpu, quota[vcpu], currentRate[vcpu]));
                    }
                }
            }
            return List.copyOf(infos);
        }
    }

    /** Lifts every limit, stops the service and waits for its thread to exit. Idempotent. */
    @Override
    public void close() {
        Thread stopped = null;
        synchronized (lock) {
            closed = true;
            if (quota != null) {
                for (int vcpu = 0; vcpu < quota.length; vcpu++) {
                    enabled[vcpu] = false;
                }
                limited = 0;
                stopped = stopService();
            }
        }
        Uninterruptibly.join(stopped);
    }

    /** Whether the service thread is alive (for tests). */
    boolean serviceThreadAlive() {
        synchronized (lock) {
            return statThread != null && statThread.isAlive();
        }
    }

    private void checkIndex(OptionalLong cpuIndex) {
        if (cpuIndex.isPresent() && (cpuIndex.getAsLong() < 0 || cpuIndex.getAsLong() >= vcpuCount.getAsInt())) {
            throw DirtyRateErrors.incorrectCpuIndex();
        }
    }

    private int[] targets(OptionalLong cpuIndex) {
        if (cpuIndex.isPresent()) {
            return new int[] {(int) cpuIndex.getAsLong()};
        }
        int[] all = new int[vcpuCount.getAsInt()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    private void startService() {
        int n = vcpuCount.getAsInt();
        quota = new long[n];
        enabled = new boolean[n];
        currentRate = new long[n];
        limited = 0;
        CountDownLatch latch = new CountDownLatch(1);
        stop = latch;
        DirtyRing rings = ring.orElseThrow();
        statThread = Thread.ofPlatform().daemon().name("dirtyrate-stat").unstarted(() -> statLoop(rings, n, latch));
        statThread.start();
    }

    /** Leaves service (every sleep drops to 0) and returns the thread to join. */
    private Thread stopService() {
        quota = null;
        enabled = null;
        currentRate = null;
        for (int vcpu = 0; vcpu < appliedSleep.length; vcpu++) {
            applySleep(vcpu);
        }
        stop.countDown();
        Thread t = statThread;
        statThread = null;
        return t;
    }

    /** Pushes the vCPU's effective sleep to the VMM when it changed. */
    private void applySleep(int vcpu) {
        long sleep = quota != null && enabled[vcpu] ? throttleMicros[vcpu] : 0;
        if (sleep != appliedSleep[vcpu]) {
            ring.orElseThrow().setRingFullSleep(vcpu, sleep);
            appliedSleep[vcpu] = sleep;
        }
    }

    /** QEMU's {@code vcpu_dirty_rate_stat_thread}: measure, adjust, until the service stops. */
    private void statLoop(DirtyRing rings, int vcpus, CountDownLatch latch) {
        try {
            while (latch.getCount() > 0) {
                VcpuDirtyRates.Sample sample = VcpuDirtyRates.measure(rings, vcpus, clock, pause, CALC_TIME_MS, latch);
                if (sample == null) {
                    return;
                }
                synchronized (lock) {
                    // The service may have stopped while the end counters were being read.
                    if (latch.getCount() == 0) {
                        return;
                    }
                    adjust(sample);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dirty limit service stopped", e);
        }
    }

    /** QEMU's {@code dirtylimit_process}, with the rates just measured. */
    private void adjust(VcpuDirtyRates.Sample sample) {
        int ringEntries = ring.orElseThrow().ringEntries();
        for (int vcpu = 0; vcpu < currentRate.length; vcpu++) {
            currentRate[vcpu] = sample.rate(vcpu);
            if (!enabled[vcpu]) {
                continue;
            }
            DirtyLimitControlLaw.Step step = DirtyLimitControlLaw.next(
                    quota[vcpu], currentRate[vcpu], throttleMicros[vcpu], maxRateSeen, Integer.toUnsignedLong(ringEntries));
            throttleMicros[vcpu] = step.throttleMicros();
            maxRateSeen = step.maxRateSeen();
            applySleep(vcpu);
        }
    }

}
