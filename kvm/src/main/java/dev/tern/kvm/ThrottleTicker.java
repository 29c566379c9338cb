package dev.tern.kvm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer of QEMU's CPU throttle for vCPUs that stay in the guest: every half slice it lets
 * each throttled vCPU kick itself out of {@code KVM_RUN} if it has run a whole slice without an
 * exit, so that its run loop can sleep. vCPUs that exit often (port I/O) never need it. One
 * daemon thread for the process, which ends when no vCPU is throttled.
 */
final class ThrottleTicker {
    private static final long PERIOD_NANOS = KvmVcpu.THROTTLE_SLICE_NANOS / 2;
    private static final Set<KvmVcpu> THROTTLED = ConcurrentHashMap.newKeySet();
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    // Guarded by ThrottleTicker.class.
    private static ScheduledFuture<?> ticking;

    private ThrottleTicker() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                task -> Thread.ofPlatform().name("tern-throttle").daemon(true).unstarted(task));
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Starts ticking for {@code vcpu}. */
    static synchronized void register(KvmVcpu vcpu) {
        THROTTLED.add(vcpu);
        if (ticking == null) {
            ticking = TIMER.scheduleAtFixedRate(ThrottleTicker::tick, PERIOD_NANOS, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops ticking for {@code vcpu}; the timer stops when no vCPU is left. */
    static synchronized void unregister(KvmVcpu vcpu) {
        THROTTLED.remove(vcpu);
        if (THROTTLED.isEmpty() && ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
    }

    private static void tick() {
        long now = System.nanoTime();
        for (KvmVcpu vcpu : THROTTLED) {
            try {
                vcpu.throttleTick(now);
            } catch (RuntimeException e) {
                // A failed kick must not stop the timer for the other vCPUs; the vCPU's own
                // loop still throttles at its next exit.
                System.getLogger(ThrottleTicker.class.getName()).log(System.Logger.Level.WARNING,
                        "throttle kick of vCPU " + vcpu.id() + " failed", e);
            }
        }
    }
}
