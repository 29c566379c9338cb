package dev.tern.kvm;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.SegmentRamBlock;
import dev.tern.api.guest.VcpuControl;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest SPI over a running {@link TrackedSweepGuest}, for driving a real KVM guest through
 * the engine: one RAM block (the slot), the slot's {@link KvmDirtyTracker} as
 * {@link DirtyLog}, vCPU 0 as {@link VcpuControl} and, in {@link DirtyTrackingMode#RING}, the
 * tracker's rings as {@link DirtyRing}. It stands in for the KVM guest of the {@code kvmguest}
 * work, which did not exist yet when these tests were written.
 *
 * <p>Each time the engine opens or closes a measuring window (a {@code pagesReaped} read, a
 * dirty-log sync, a {@code ramBlocks} read) it records the guest's pass count, so that a test
 * can compare what the engine measured with what the guest did in exactly that window.
 *
 * <p>With a dirty ring, dirty logging stays on from creation to close and {@link DirtyLog#stop}
 * leaves it on: KVM pushes ring entries only for slots with logging on, and the engine's
 * dirty-ring users (the {@code dirty-ring} measurement and the dirty-limit service) read the
 * ring counters without starting the log, where QEMU turns its global dirty logging on.
 */
final class SweepEngineGuest implements Guest, AutoCloseable {
    /** The guest's pass count when the engine read something, and when (System.nanoTime). */
    record Progress(long nanos, long passes) {
    }

    final TrackedSweepGuest sweep;
    private final DirtyTrackingMode mode;
    private final RamBlock ram;
    // Guarded by themselves: the engine reads from its own threads.
    private final List<Progress> ringReads = new ArrayList<>();
    private final List<Progress> syncs = new ArrayList<>();
    private final List<Progress> blockReads = new ArrayList<>();

    /**
     * Creates the guest and starts its vCPU.
     *
     * @param kvm the KVM device
     * @param ramSize the RAM size
     * @param program the sweep
     * @param mode how the guest's writes are tracked
     */
    SweepEngineGuest(Kvm kvm, long ramSize, SweepGuestProgram program, DirtyTrackingMode mode) {
        this.sweep = new TrackedSweepGuest(kvm, ramSize, program, mode, KvmDirtyTracker.DEFAULT_RING_ENTRIES);
        this.mode = mode;
        this.ram = new SegmentRamBlock("pc.ram", sweep.ram.memory(), ramSize, SweepGuestProgram.PAGE, false);
        try {
            if (mode == DirtyTrackingMode.RING) {
                sweep.tracker.start();
            }
            sweep.vcpu.start();
        } catch (RuntimeException e) {
            sweep.close();
            throw e;
        }
    }

    /** The passes the guest has completed. */
    long passes() {
        return sweep.passes();
    }

    /** Pages the guest writes per pass. */
    long pagesPerPass() {
        return sweep.endSweptPage() - sweep.firstSweptPage();
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
        Progress now = new Progress(System.nanoTime(), sweep.passes());
        synchronized (into) {
            into.add(now);
        }
    }

    @Override
    public String machineType() {
        return "none";
    }

    @Override
    public List<RamBlock> ramBlocks() {
        record(blockReads);
        return List.of(ram);
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        return Optional.of(new DirtyLog() {
            @Override
            public void start() {
                sweep.tracker.start();
            }

            @Override
            public void stop() {
                if (mode != DirtyTrackingMode.RING) {
                    sweep.tracker.stop();
                }
            }

            @Override
            public long syncInto(RamBlock block, MemorySegment bitmap) {
                long reported = sweep.tracker.syncInto(sweep.ram, bitmap);
                record(syncs);
                return reported;
            }
        });
    }

    @Override
    public Optional<VcpuControl> vcpus() {
        KvmVcpu vcpu = sweep.vcpu;
        return Optional.of(new VcpuControl() {
            @Override
            public int vcpuCount() {
                return 1;
            }

            @Override
            public void pause() {
                vcpu.pause();
            }

            @Override
            public void resume() {
                vcpu.resume();
            }

            @Override
            public boolean running() {
                return vcpu.running();
            }

            @Override
            public void setThrottle(int percent) {
                vcpu.setThrottle(percent);
            }
        });
    }

    @Override
    public Optional<DirtyRing> dirtyRing() {
        if (!(sweep.tracker instanceof RingDirtyTracker rings)) {
            return Optional.empty();
        }
        return Optional.of(new DirtyRing() {
            @Override
            public int ringEntries() {
                return rings.ringEntries();
            }

            @Override
            public long pagesReaped(int vcpu) {
                long reaped = rings.pagesReaped(vcpu);
                record(ringReads);
                return reaped;
            }

            @Override
            public void setRingFullSleep(int vcpu, long micros) {
                rings.setRingFullSleep(vcpu, micros);
            }
        });
    }

    /** Stops the vCPU and frees the VM and the tracker. */
    @Override
    public void close() {
        sweep.close();
    }
}
