package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One KVM virtual CPU: the descriptor {@code KVM_CREATE_VCPU} returned, its shared
 * {@code struct kvm_run} area, its register state, and the platform thread (named
 * {@code tern-vcpu-<id>}) that runs it with {@code KVM_RUN} and serves its exits.
 *
 * <p>The run loop hands port I/O and MMIO to the guest's {@link VcpuIoHandler}; it ends when
 * the guest halts ({@code KVM_EXIT_HLT}, state {@link VcpuRunState#HALTED}) or on an exit it
 * cannot continue from (triple fault, entry failure, internal error, an unknown exit, a failing
 * handler: state {@link VcpuRunState#FAILED}, the message in {@link #failure()}).
 *
 * <p>{@link #pause()} takes the vCPU out of {@code KVM_RUN} at once: it sets
 * {@code kvm_run.immediate_exit} (so that a {@code KVM_RUN} about to start returns at once)
 * and sends the thread {@link VcpuSignal}'s signal (so that a {@code KVM_RUN} in progress
 * returns with {@code EINTR}). {@link #setThrottle(int)} makes the thread sleep after each
 * 10 ms of running, as QEMU's CPU throttle does.
 *
 * <p>Registers are read and written ({@link #saveState()}, {@link #loadState(VcpuState)})
 * only while the vCPU is not running: before {@link #start()}, while paused, or after its loop
 * ended. Thread-safe.
 *
 * {@snippet :
 * try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
 *     KvmVcpu vcpu = vm.createVcpu(0, VcpuIoHandler.NONE);
 *     vcpu.start();
 *     vcpu.pause();
 *     VcpuState state = vcpu.saveState();
 *     vcpu.resume();
 * }
 * }
 */
public final class KvmVcpu implements AutoCloseable {
    /** QEMU's {@code CPU_THROTTLE_TIMESLICE_NS}: a throttled vCPU runs this long between sleeps. */
    static final long THROTTLE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final VarHandle RUN_BYTE = JAVA_BYTE.varHandle();

    private final KvmVm vm;
    private final int id;
    private final FileDescriptor fd;
    private final Arena runArena;
    private final MemorySegment run;
    private final VcpuIoHandler io;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private Thread thread;
    private long pthread;
    private boolean threadAlive;
    private boolean pauseRequested;
    private boolean parked;
    private boolean stopRequested;
    private boolean closed;
    private VcpuRunState endState;
    private KvmException failure;

    // Read by other threads without the lock: whether the thread is in (or about to enter)
    // KVM_RUN, so that a kick signal is sent only then.
    private volatile boolean inGuest;
    private volatile int throttlePercent;
    // The throttle ticker's copy of sliceStart, which only the vCPU thread uses.
    private volatile long sliceStartSnapshot;
    // Only the vCPU thread reads and writes these.
    private long sliceStart;
    private boolean exitPending;

    KvmVcpu(KvmVm vm, int id, FileDescriptor fd, int mmapSize, VcpuIoHandler io) {
        this.vm = vm;
        this.id = id;
        this.fd = fd;
        this.io = io;
        // Shared: the vCPU thread reads exits, the thread that pauses writes immediate_exit.
        Arena arena = Arena.ofShared();
        try {
            // mmapSize is KVM_GET_VCPU_MMAP_SIZE (kvm_run and the pages after it); the mapping
            // lives until close(), which ends the thread that reads it first.
            this.run = Syscalls.mmap(mmapSize, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED,
                    fd.get(), 0, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        this.runArena = arena;
    }

    /**
     * The vCPU id given to {@code KVM_CREATE_VCPU}.
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * Starts the vCPU's thread; it runs the guest unless {@link #pause()} was called before.
     *
     * @throws IllegalStateException if it was started before or is closed
     */
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("vCPU " + id + " is closed");
            }
            if (thread != null) {
                throw new IllegalStateException("vCPU " + id + " was already started");
            }
            thread = Thread.ofPlatform().name("tern-vcpu-" + id).daemon(true).unstarted(this::runLoop);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the vCPU out of {@code KVM_RUN} and parks its thread; returns once it is parked (or
     * its loop has ended), so that no guest instruction runs until {@link #resume()}. A pending
     * port or MMIO access is completed first, as the KVM API requires before the state is read.
     * Before {@link #start()}, the vCPU will start paused. Idempotent. Called from the vCPU's
     * own thread (an I/O handler), it only requests the pause, which happens when the handler
     * returns.
     *
     * @throws KvmException if the kick signal cannot be sent
     */
    public void pause() {
        lock.lock();
        try {
            pauseRequested = true;
            if (thread == null || endState != null || closed) {
                return;
            }
            kickLocked();
            // Ends a throttle sleep.
            changed.signalAll();
            if (Thread.currentThread() == thread) {
                return;
            }
            while (!parked && endState == null) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets a paused vCPU run again. Idempotent. */
    public void resume() {
        lock.lock();
        try {
            pauseRequested = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the vCPU runs guest code: started, not paused, its loop not ended, not closed.
     *
     * @return true if running
     */
    public boolean running() {
        return state() == VcpuRunState.RUNNING;
    }

    /**
     * Where the vCPU is in its life.
     *
     * @return the state
     */
    public VcpuRunState state() {
        lock.lock();
        try {
            if (closed) {
                return VcpuRunState.CLOSED;
            }
            if (endState != null) {
                return endState;
            }
            if (thread == null) {
                return VcpuRunState.CREATED;
            }
            return pauseRequested ? VcpuRunState.PAUSED : VcpuRunState.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why the run loop stopped, if it failed.
     *
     * @return the failure, with a message such as
     *     {@code vCPU 0 stopped: KVM_EXIT_SHUTDOWN (8): triple fault or shutdown at RIP 0x1000}
     */
    public Optional<KvmException> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the run loop has ended (the guest halted or the loop failed) or the vCPU is
     * closed.
     *
     * @param timeout how long to wait at most
     * @return true if no guest code will run on this vCPU any more
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (endState == null && !closed && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return endState != null || closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the vCPU sleep {@code percent} of its time, as QEMU's CPU throttle
     * ({@code cpu_throttle_set}, spec 6.3): after each 10 ms of running it sleeps
     * {@code percent / (100 - percent) * 10 ms}; a pause or close ends the sleep early. The
     * time is checked at every exit, and a timer kicks a vCPU that stays in the guest longer than
     * a slice.
     *
     * @param percent 0 (no throttle) to 99
     * @throws IllegalArgumentException if {@code percent} is outside 0..99
     */
    public void setThrottle(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("vCPU throttle must be 0 to 99 percent: " + percent);
        }
        throttlePercent = percent;
        if (percent == 0) {
            ThrottleTicker.unregister(this);
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } else {
            ThrottleTicker.register(this);
        }
    }

    /**
     * The throttle percentage.
     *
     * @return 0 to 99
     */
    public int throttle() {
        return throttlePercent;
    }

    /**
     * Reads the register state: {@code KVM_GET_REGS}, {@code KVM_GET_SREGS},
     * {@code KVM_GET_FPU}, {@code KVM_GET_MSRS} (of the TSC, SYSENTER, SYSCALL, PAT,
     * KERNEL_GS_BASE, TSC_AUX and MISC_ENABLE MSRs, those this vCPU has) and
     * {@code KVM_GET_VCPU_EVENTS}.
     *
     * @return the state
     * @throws IllegalStateException if the vCPU is running or closed
     * @throws KvmException if an ioctl fails
     */
    public VcpuState saveState() {
        lock.lock();
        try {
            ensureStopped();
            return VcpuRegisters.save(fd.get());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a register state saved by {@link #saveState()}, here or on another vCPU:
     * {@code KVM_SET_REGS}, {@code KVM_SET_FPU}, {@code KVM_SET_SREGS}, {@code KVM_SET_MSRS},
     * {@code KVM_SET_VCPU_EVENTS}.
     *
     * @param state the state
     * @throws IllegalStateException if the vCPU is running or closed
     * @throws KvmException if an ioctl fails or the kernel refuses one of the MSRs
     */
    public void loadState(VcpuState state) {
        lock.lock();
        try {
            ensureStopped();
            VcpuRegisters.load(fd.get(), id, state);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A register ioctl ({@code KVM_GET_SREGS}, {@code KVM_SET_REGS}, ...) on a stopped vCPU,
     * for setting up a guest in this package.
     *
     * @param request the request
     * @param struct a native struct of the size the request names, alive for the call
     */
    void registerIoctl(IoctlRequest request, MemorySegment struct) {
        if (!struct.isNative() || struct.byteSize() < request.argumentSize()) {
            throw new IllegalArgumentException(request.name() + " needs a native struct of " + request.argumentSize()
                    + " bytes, got " + struct);
        }
        lock.lock();
        try {
            ensureStopped();
            // Checked above: the kernel reads or writes argumentSize() bytes of a live native struct.
            Ioctl.call(fd.get(), request, struct);
        } finally {
            lock.unlock();
        }
    }

    private void ensureStopped() {
        if (closed) {
            throw new IllegalStateException("vCPU " + id + " is closed");
        }
        if (thread != null && endState == null && !parked) {
            throw new IllegalStateException("vCPU " + id + " is running: pause it first");
        }
    }

    /** Sets immediate_exit and signals the thread if it is in KVM_RUN. Holds the lock. */
    private void kickLocked() {
        RUN_BYTE.setVolatile(run, KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 1);
        // The thread cannot end while we hold the lock (it takes the lock to end), so its
        // pthread_t is still valid here.
        if (threadAlive && inGuest) {
            VcpuSignal.kick(pthread);
        }
    }

    /** Called by the {@link ThrottleTicker}: kicks the vCPU if it has been in the guest a whole slice. */
    void throttleTick(long now) {
        if (!inGuest || now - sliceStartSnapshot < THROTTLE_SLICE_NANOS) {
            return;
        }
        lock.lock();
        try {
            if (!closed && endState == null) {
                kickLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void runLoop() {
        long self;
        try {
            self = VcpuSignal.prepareCurrentThread();
        } catch (RuntimeException e) {
            end(VcpuRunState.FAILED, KvmException.vcpuStopped(id, "its thread could not be prepared", e));
            return;
        }
        lock.lock();
        try {
            pthread = self;
            threadAlive = true;
        } finally {
            lock.unlock();
        }
        VcpuRunState outcome = VcpuRunState.FAILED;
        KvmException error = null;
        try {
            newSlice();
            while (true) {
                if (!waitUntilRunnable()) {
                    outcome = null;
                    break;
                }
                inGuest = true;
                // KVM_RUN takes no argument; the kernel reports through the kvm_run mapping, which
                // close() unmaps only after this thread has ended.
                int result = Ioctl.callOrNegatedErrno(fd.get(), KvmIoctls.KVM_RUN, 0L);
                inGuest = false;
                exitPending = false;
                if (result < 0) {
                    if (-result != Errno.EINTR && -result != Errno.EAGAIN) {
                        error = KvmException.vcpuStopped(id, "KVM_RUN failed: " + Errno.describe(-result));
                        break;
                    }
                } else {
                    int reason = run.get(JAVA_INT, KvmStructs.RUN_EXIT_REASON);
                    // KVM completes a port or MMIO access on the next KVM_RUN.
                    exitPending = reason == ExitReason.IO || reason == ExitReason.MMIO;
                    RingDirtyTracker ring = dirtyRing;
                    String stop = reason == ExitReason.DIRTY_RING_FULL && ring != null
                            ? sleepAfterRingFull(ring.ringFull(id))
                            : VcpuExits.serve(id, reason, run, io);
                    if (stop != null) {
                        if (stop.isEmpty()) {
                            outcome = VcpuRunState.HALTED;
                        } else {
                            error = KvmException.vcpuStopped(id, stop + atRip());
                        }
                        break;
                    }
                }
                throttleIfDue();
            }
        } catch (KvmException e) {
            error = e;
        } catch (RuntimeException | Error e) {
            error = KvmException.vcpuStopped(id, "the run loop failed", e);
        }
        end(error != null ? VcpuRunState.FAILED : outcome, error);
    }

    /**
     * Parks while a pause is requested, after completing a pending I/O exit.
     *
     * @return false if the vCPU is being closed
     */
    private boolean waitUntilRunnable() {
        lock.lock();
        try {
            if (stopRequested) {
                return false;
            }
            if (pauseRequested && exitPending) {
                // KVM completes a port or MMIO access on the next KVM_RUN; with immediate_exit
                // set it completes it and returns before any further guest instruction.
                RUN_BYTE.setVolatile(run, KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 1);
                return true;
            }
            while (pauseRequested && !stopRequested) {
                if (!parked) {
                    parked = true;
                    changed.signalAll();
                }
                changed.awaitUninterruptibly();
            }
            parked = false;
            if (stopRequested) {
                return false;
            }
            // A kick whose pause was withdrawn before we saw it, or a throttle kick: not for now.
            RUN_BYTE.setVolatile(run, KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 0);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** " at RIP 0x...", read on the vCPU thread after the exit; empty if the registers cannot be read. */
    private String atRip() {
        // The struct lives for this call; the kernel writes 144 bytes.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment regs = scratch.allocate(KvmStructs.REGS);
            Ioctl.call(fd.get(), KvmIoctls.KVM_GET_REGS, regs);
            return String.format(" at RIP 0x%x", regs.get(JAVA_LONG, KvmStructs.offset(KvmStructs.REGS, "rip")));
        } catch (RuntimeException e) {
            return "";
        }
    }

    // ---- Dirty ring (added for the dirty tracker) ----

    // Set by KvmVm before start() when the VM has a dirty ring: harvests this vCPU's ring on
    // KVM_EXIT_DIRTY_RING_FULL. Without it, that exit stops the loop as an unexpected one.
    private volatile RingDirtyTracker dirtyRing;

    /** Makes {@code KVM_EXIT_DIRTY_RING_FULL} harvest this vCPU's ring in {@code ring}. */
    void dirtyRing(RingDirtyTracker ring) {
        dirtyRing = ring;
    }

    /**
     * After the ring-full harvest: sleeps the dirty-limit time (spec 11.6), ended early by a
     * pause or close.
     *
     * @return null: the loop goes on
     */
    private String sleepAfterRingFull(long micros) {
        long remaining = TimeUnit.MICROSECONDS.toNanos(micros);
        lock.lock();
        try {
            while (remaining > 0 && !pauseRequested && !stopRequested) {
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return null;
    }

    // ---- end of dirty ring ----

    private void newSlice() {
        sliceStart = System.nanoTime();
        sliceStartSnapshot = sliceStart;
    }

    /** Sleeps {@code pct / (100 - pct)} of a slice once a slice of running is over (spec 6.3). */
    private void throttleIfDue() {
        int percent = throttlePercent;
        long now = System.nanoTime();
        if (percent == 0) {
            sliceStart = now;
            sliceStartSnapshot = now;
            return;
        }
        if (now - sliceStart < THROTTLE_SLICE_NANOS) {
            return;
        }
        long remaining = THROTTLE_SLICE_NANOS * percent / (100 - percent);
        lock.lock();
        try {
            while (remaining > 0 && !pauseRequested && !stopRequested && throttlePercent != 0) {
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        newSlice();
    }

    private void end(VcpuRunState outcome, KvmException error) {
        lock.lock();
        try {
            // A closed vCPU's loop ends without an outcome: close() reports CLOSED.
            endState = outcome == null ? VcpuRunState.HALTED : outcome;
            failure = error;
            threadAlive = false;
            parked = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread (kicking it out of {@code KVM_RUN} and waiting for it to end), unmaps
     * {@code kvm_run} and closes the descriptor. Idempotent. The kernel keeps the vCPU itself
     * until the VM is destroyed, so its id cannot be used again in this VM.
     *
     * @throws IllegalStateException if called on the vCPU's own thread (it would wait for itself)
     * @throws KvmException if closing the descriptor fails
     */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (Thread.currentThread() == thread) {
                throw new IllegalStateException("vCPU " + id + " cannot be closed from its own thread");
            }
            closed = true;
            stopRequested = true;
            if (thread != null && endState == null) {
                kickLocked();
            }
            changed.signalAll();
            running = thread;
        } finally {
            lock.unlock();
        }
        ThrottleTicker.unregister(this);
        if (running != null) {
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            // The thread that read kvm_run has ended: no access can race the munmap.
            runArena.close();
            fd.close();
        } finally {
            vm.forget(this);
        }
    }

    @Override
    public String toString() {
        return "KvmVcpu[id=" + id + ", state=" + state() + "]";
    }
}
