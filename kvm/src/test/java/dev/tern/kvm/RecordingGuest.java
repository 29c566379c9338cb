package dev.tern.kvm;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@link KvmGuest} running its sweep on one vCPU, handed to the engine through a decorator
 * that records the guest's pass count each time the engine opens or closes a measuring window:
 * at every {@code DirtyRing.pagesReaped} read, every {@code DirtyLog.syncInto} and every
 * {@link #ramBlocks()} read (page sampling reads the blocks when it hashes and when it hashes
 * again). A test compares what the engine measured with what the guest did in exactly that
 * window. Everything else is the KVM guest's own.
 */
final class RecordingGuest implements Guest, AutoCloseable {
    /** The guest's pass count when the engine read something, and when (System.nanoTime). */
    record Progress(long nanos, long passes) {
    }

    final KvmGuest kvm;
    // Guarded by themselves: the engine reads from its own threads.
    private final List<Progress> ringReads = new ArrayList<>();
    private final List<Progress> syncs = new ArrayList<>();
    private final List<Progress> blockReads = new ArrayList<>();

    /**
     * Builds the guest (one vCPU sweeping {@code [sweepStart, sweepEnd)}) and starts it.
     *
     * @param ramSize the RAM size
     * @param sweepStart the sweep's first byte
     * @param sweepEnd the sweep's end
     * @param mode how the guest's writes are tracked
     */
    RecordingGuest(long ramSize, long sweepStart, long sweepEnd, DirtyTrackingMode mode) {
        this.kvm = KvmGuest.builder().ramSize(ramSize).vcpus(1).sweep(sweepStart, sweepEnd).dirtyTracking(mode)
                .build();
        try {
            kvm.start();
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    /** The passes the guest has completed. */
    long passes() {
        return kvm.passes();
    }

    /** Pages the guest writes per pass. */
    long pagesPerPass() {
        SweepGuestProgram program = kvm.programs().getFirst();
        return (program.end() - program.start()) / SweepGuestProgram.PAGE;
    }

    /**
     * Aborts the test (JUnit assumption) if the vCPU stopped because the host kernel's dirty
     * ring no longer matches its entries ({@code RingDirtyTracker}'s empty ring-full limit): a
     * defect of the PVM host these tests run on, seen intermittently when a sweep larger than
     * the ring fills it over and over, which no measurement can be judged against.
     */
    void assumeRingKeptTrack() {
        Optional<KvmException> failure = kvm.failure();
        Assumptions.assumeFalse(failure.isPresent() && String.valueOf(failure.get().getMessage())
                .contains("no dirty entry to harvest"), () -> "the host kernel's dirty ring lost track: " + failure);
    }

    /** Waits until the guest has made {@code more} further passes. */
    void awaitPasses(long more) throws InterruptedException {
        long target = passes() + more;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (passes() < target) {
            if (System.nanoTime() - deadline > 0 || kvm.failure().isPresent()) {
                assumeRingKeptTrack();
                throw new AssertionError("the guest did not reach " + target + " passes: " + passes() + " "
                        + kvm.failure());
            }
            Thread.sleep(1);
        }
    }

    /** Progress at every {@code pagesReaped} read so far. */
    List<Progress> ringReads() {
        synchronized (ringReads) {
            return List.copyOf(ringReads);
        }
    }

    /** Progress at every dirty-log sync so far. */
    List<Progress> syncs() {
        synchronized (syncs) {
            return List.copyOf(syncs);
        }
    }

    /** Progress at every {@link #ramBlocks()} read so far. */
    List<Progress> blockReads() {
        synchronized (blockReads) {
            return List.copyOf(blockReads);
        }
    }

    private void record(List<Progress> into) {
        Progress now = new Progress(System.nanoTime(), kvm.passes());
        synchronized (into) {
            into.add(now);
        }
    }

    @Override
    public String machineType() {
        return kvm.machineType();
    }

    @Override
    public List<RamBlock> ramBlocks() {
        record(blockReads);
        return kvm.ramBlocks();
    }

    @Override
    public List<DeviceSection> devices() {
        return kvm.devices();
    }

    @Override
    public Optional<UUID> uuid() {
        return kvm.uuid();
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        return kvm.dirtyLog().map(log -> new DirtyLog() {
            @Override
            public void start() {
                log.start();
            }

            @Override
            public void stop() {
                log.stop();
            }

            @Override
            public long syncInto(RamBlock block, MemorySegment bitmap) {
                long reported = log.syncInto(block, bitmap);
                record(syncs);
                return reported;
            }

            @Override
            public void clear(RamBlock block, long firstPage, long pageCount) {
                log.clear(block, firstPage, pageCount);
            }
        });
    }

    @Override
    public Optional<VcpuControl> vcpus() {
        return kvm.vcpus();
    }

    @Override
    public Optional<DirtyRing> dirtyRing() {
        return kvm.dirtyRing().map(ring -> new DirtyRing() {
            @Override
            public int ringEntries() {
                return ring.ringEntries();
            }

            @Override
            public long pagesReaped(int vcpu) {
                long reaped = ring.pagesReaped(vcpu);
                record(ringReads);
                return reaped;
            }

            @Override
            public void setRingFullSleep(int vcpu, long micros) {
                ring.setRingFullSleep(vcpu, micros);
            }
        });
    }

    /** Closes the KVM guest. */
    @Override
    public void close() {
        kvm.close();
    }
}
