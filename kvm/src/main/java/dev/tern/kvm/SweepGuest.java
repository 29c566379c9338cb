package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real KVM guest running the {@link SweepGuestProgram} (QEMU's A-B migration-test guest) on
 * one vCPU: a VM, one memory slot of RAM from guest physical address 0, the code at
 * {@link #CODE_ADDRESS}, vCPU 0 in flat protected mode at the code, and a serial port that
 * counts the guest's {@code 'A'} and {@code 'B'} marks.
 *
 * <p>{@link #create} makes a guest that starts from the beginning; {@link #createIncoming}
 * makes the same machine with zeroed RAM and the vCPU in reset state, for a migration
 * destination to fill: copy the RAM, {@link KvmVcpu#loadState(VcpuState)}, then start.
 *
 * {@snippet :
 * SweepGuestProgram program = new SweepGuestProgram(1L << 20, 100L << 20, 1);
 * try (Kvm kvm = Kvm.open(); SweepGuest guest = SweepGuest.create(kvm, 128L << 20, program)) {
 *     guest.vcpu().start();
 *     guest.awaitPasses(3, Duration.ofSeconds(30));
 *     guest.vcpu().pause();
 *     SweepRamCheck check = guest.check();
 * }
 * }
 */
public final class SweepGuest implements AutoCloseable {
    /** Where the code is loaded: the second page, below the sweep (which must not cover it). */
    public static final long CODE_ADDRESS = 0x1000;
    /** QEMU's TSS address for Intel's KVM (three pages below the BIOS), outside the RAM. */
    static final long TSS_ADDRESS = 0xFFFB_D000L;
    /** QEMU's identity-map page for Intel's KVM, outside the RAM. */
    static final long IDENTITY_MAP_ADDRESS = 0xFEFF_C000L;

    private final SweepGuestProgram program;
    private final KvmVm vm;
    private final MemorySlot ram;
    private final KvmVcpu vcpu;
    private final AtomicLong passMarks = new AtomicLong();
    private final AtomicLong startMarks = new AtomicLong();
    private final AtomicLong otherOutput = new AtomicLong();

    private SweepGuest(Kvm kvm, long ramSize, SweepGuestProgram program) {
        if (program.end() > ramSize) {
            throw new IllegalArgumentException(String.format("sweep range [0x%x, 0x%x) does not fit in 0x%x bytes of RAM",
                    program.start(), program.end(), ramSize));
        }
        if (program.start() < CODE_ADDRESS + SweepGuestProgram.PAGE) {
            throw new IllegalArgumentException(String.format(
                    "sweep range [0x%x, 0x%x) would overwrite the code page at 0x%x", program.start(), program.end(),
                    CODE_ADDRESS));
        }
        this.program = program;
        this.vm = kvm.createVm();
        try {
            vm.setTssAddr(TSS_ADDRESS);
            vm.setIdentityMapAddr(IDENTITY_MAP_ADDRESS);
            this.ram = vm.createMemorySlot(0, 0, ramSize, false);
            this.vcpu = vm.createVcpu(0, new SerialPort());
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /**
     * A guest ready to run the program from its first instruction: call
     * {@code vcpu().start()}.
     *
     * @param kvm the KVM device
     * @param ramSize the RAM size in bytes, a multiple of the page size covering the sweep
     * @param program the sweep, starting above the code page
     * @return the guest, not yet running
     * @throws IllegalArgumentException if the sweep does not fit the RAM or covers the code page
     * @throws KvmException if KVM refuses something
     */
    public static SweepGuest create(Kvm kvm, long ramSize, SweepGuestProgram program) {
        SweepGuest guest = new SweepGuest(kvm, ramSize, program);
        try {
            byte[] code = program.code();
            MemorySegment.copy(code, 0, guest.ram.memory(), JAVA_BYTE, CODE_ADDRESS, code.length);
            FlatProtectedMode.enter(guest.vcpu, CODE_ADDRESS);
        } catch (RuntimeException e) {
            guest.close();
            throw e;
        }
        return guest;
    }

    /**
     * The same machine with zeroed RAM and vCPU 0 in its reset state, for an incoming
     * migration: fill {@link #ram()}, load the vCPU state, then start the vCPU.
     *
     * @param kvm the KVM device
     * @param ramSize the RAM size in bytes
     * @param program the sweep the source runs (for {@link #check()})
     * @return the guest, not yet running
     */
    public static SweepGuest createIncoming(Kvm kvm, long ramSize, SweepGuestProgram program) {
        return new SweepGuest(kvm, ramSize, program);
    }

    /**
     * The program.
     *
     * @return the sweep the guest runs
     */
    public SweepGuestProgram program() {
        return program;
    }

    /**
     * The VM.
     *
     * @return the VM, closed with this guest
     */
    public KvmVm vm() {
        return vm;
    }

    /**
     * The guest's RAM slot, guest physical address 0 upwards.
     *
     * @return the slot
     */
    public MemorySlot ram() {
        return ram;
    }

    /**
     * vCPU 0.
     *
     * @return the vCPU
     */
    public KvmVcpu vcpu() {
        return vcpu;
    }

    /**
     * The passes the guest has reported on its serial port since this object was created
     * ({@code 'B'} marks times {@link SweepGuestProgram#passesPerReport()}).
     *
     * @return the pass count
     */
    public long passes() {
        return passMarks.get() * program.passesPerReport();
    }

    /**
     * How many times the guest wrote {@code 'A'}: once when it starts from the beginning, never
     * when it continues from a loaded state.
     *
     * @return the count
     */
    public long startMarks() {
        return startMarks.get();
    }

    /**
     * Serial output other than {@code 'A'} and {@code 'B'}, which a healthy guest never writes.
     *
     * @return the number of such bytes
     */
    public long otherOutput() {
        return otherOutput.get();
    }

    /**
     * Polls {@link #passes()} until it reaches {@code count}, the vCPU stops, or the time runs out.
     *
     * @param count the pass count to wait for
     * @param timeout the longest wait
     * @return true if the count was reached
     * @throws InterruptedException if interrupted
     */
    public boolean awaitPasses(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (passes() < count) {
            if (System.nanoTime() - deadline > 0 || vcpu.awaitEnd(Duration.ofMillis(1))) {
                return passes() >= count;
            }
        }
        return true;
    }

    /**
     * QEMU's RAM consistency check (spec 15.2) over the sweep range; meaningful with the vCPU
     * paused.
     *
     * @return the result
     */
    public SweepRamCheck check() {
        return SweepRamCheck.of(ram.memory(), ram.guestPhysAddr(), program);
    }

    /** Closes the VM: the vCPU (stopping its thread), the RAM, the VM descriptor. Idempotent. */
    @Override
    public void close() {
        vm.close();
    }

    /** COM1's data register, as far as the program uses it. */
    private final class SerialPort implements VcpuIoHandler {
        @Override
        public void portOut(int port, int size, int count, MemorySegment data) {
            if (port != SweepGuestProgram.SERIAL_PORT) {
                return;
            }
            for (long i = 0; i < (long) size * count; i += size) {
                byte b = data.get(JAVA_BYTE, i);
                if (b == SweepGuestProgram.PASS_MARK) {
                    passMarks.incrementAndGet();
                } else if (b == SweepGuestProgram.START_MARK) {
                    startMarks.incrementAndGet();
                } else {
                    otherOutput.incrementAndGet();
                }
            }
        }
    }
}
