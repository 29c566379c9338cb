package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link SweepGuestProgram} on one vCPU, set up like {@link SweepGuest} but with a dirty
 * tracker created between the RAM slot and the vCPU (a dirty ring must exist before the first
 * vCPU). The guest writes nothing but the first byte of each page of its sweep.
 */
final class TrackedSweepGuest implements AutoCloseable {
    static final long PAGE = SweepGuestProgram.PAGE;

    final SweepGuestProgram program;
    final KvmVm vm;
    final MemorySlot ram;
    final KvmDirtyTracker tracker;
    final KvmVcpu vcpu;
    private final AtomicLong passes = new AtomicLong();

    /**
     * @param ringEntries entries per ring, used in {@link DirtyTrackingMode#RING} only
     */
    TrackedSweepGuest(Kvm kvm, long ramSize, SweepGuestProgram program, DirtyTrackingMode mode, int ringEntries) {
        this.program = program;
        this.vm = kvm.createVm();
        try {
            vm.setTssAddr(SweepGuest.TSS_ADDRESS);
            vm.setIdentityMapAddr(SweepGuest.IDENTITY_MAP_ADDRESS);
            ram = vm.createMemorySlot(0, 0, ramSize, false);
            tracker = mode == DirtyTrackingMode.RING
                    ? KvmDirtyTracker.createRing(vm, ringEntries)
                    : KvmDirtyTracker.create(vm, mode);
            vcpu = vm.createVcpu(0, new VcpuIoHandler() {
                @Override
                public void portOut(int port, int size, int count, MemorySegment data) {
                    if (port == SweepGuestProgram.SERIAL_PORT && data.get(JAVA_BYTE, 0) == SweepGuestProgram.PASS_MARK) {
                        passes.incrementAndGet();
                    }
                }
            });
            byte[] code = program.code();
            MemorySegment.copy(code, 0, ram.memory(), JAVA_BYTE, SweepGuest.CODE_ADDRESS, code.length);
            FlatProtectedMode.enter(vcpu, SweepGuest.CODE_ADDRESS);
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    long passes() {
        return passes.get();
    }

    /** Runs the guest until it reports {@code more} further passes, then pauses it. */
    void runPasses(long more) throws InterruptedException {
        long target = passes() + more;
        vcpu.resume();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (passes() < target) {
            if (System.nanoTime() - deadline > 0 || vcpu.awaitEnd(Duration.ofMillis(1))) {
                throw new AssertionError("the guest did not reach " + target + " passes: " + passes() + ", "
                        + vcpu.state() + " " + vcpu.failure());
            }
        }
        vcpu.pause();
    }

    /** The first byte of every page of the slot: how many times the guest swept it (mod 256). */
    byte[] firstBytes() {
        byte[] bytes = new byte[(int) ram.pageCount()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = ram.memory().get(JAVA_BYTE, i * PAGE);
        }
        return bytes;
    }

    /** The slot's pages the sweep covers. */
    long firstSweptPage() {
        return program.start() / PAGE;
    }

    long endSweptPage() {
        return program.end() / PAGE;
    }

    @Override
    public void close() {
        vm.close();
        tracker.close();
    }
}
