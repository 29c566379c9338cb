package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The register state of a stopped x86-64 vCPU: what {@link KvmVcpu#saveState()} reads and
 * {@link KvmVcpu#loadState(VcpuState)} writes, enough for a guest that uses no interrupts and
 * no AVX to continue exactly where it stopped in another VM, including an exception, interrupt
 * or NMI caught half-delivered and the interrupt shadow. Immutable.
 *
 * <p>Stream format, version {@value #VERSION} (the payload of the {@code "cpu"} device section,
 * see {@link VcpuSection}); every number big-endian, each struct the fields of its
 * {@code linux/kvm.h} definition in order, padding left out:
 *
 * <pre>
 * kvm_regs   144 bytes  rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags: 18 x u64
 * kvm_sregs  292 bytes  cs ds es fs gs ss tr ldt, each 23 bytes:
 *                         base u64, limit u32, selector u16,
 *                         type present dpl db s l g avl unusable: 9 x u8
 *                       gdt idt, each 10 bytes: base u64, limit u16
 *                       cr0 cr2 cr3 cr4 cr8 efer apic_base: 7 x u64
 *                       interrupt_bitmap: 4 x u64
 * kvm_fpu    411 bytes  fpr[8][16] u8, fcw u16, fsw u16, ftwx u8, last_opcode u16,
 *                       last_ip u64, last_dp u64, xmm[16][16] u8, mxcsr u32
 * msrs       u32 count (at most {@value #MAX_MSRS}), then count x (index u32, value u64)
 * events      64 bytes  kvm_vcpu_events: exception (injected nr has_error_code pending: 4 x u8,
 *                       error_code u32), interrupt (injected nr soft shadow: 4 x u8),
 *                       nmi (injected pending masked pad: 4 x u8), sipi_vector u32, flags u32,
 *                       smi (smm pending smm_inside_nmi latched_init: 4 x u8),
 *                       triple_fault.pending u8, reserved[26] u8, exception_has_payload u8,
 *                       exception_payload u64
 * </pre>
 */
public final class VcpuState {
    /** The version of the stream format this class writes and reads. */
    public static final int VERSION = 1;
    /** The most MSR entries a stream may carry; more means a corrupt stream. */
    public static final int MAX_MSRS = 64;

    private final byte[] regs;
    private final byte[] sregs;
    private final byte[] fpu;
    private final int[] msrIndices;
    private final long[] msrValues;
    private final byte[] events;

    /** Takes ownership of the arrays (structs in native byte order). */
    VcpuState(byte[] regs, byte[] sregs, byte[] fpu, int[] msrIndices, long[] msrValues, byte[] events) {
        check(regs, KvmStructs.REGS, "kvm_regs");
        check(sregs, KvmStructs.SREGS, "kvm_sregs");
        check(fpu, KvmStructs.FPU, "kvm_fpu");
        check(events, KvmStructs.VCPU_EVENTS, "kvm_vcpu_events");
        if (msrIndices.length != msrValues.length || msrIndices.length > MAX_MSRS) {
            throw new IllegalArgumentException("MSR indices and values differ in number or exceed " + MAX_MSRS);
        }
        this.regs = regs;
        this.sregs = sregs;
        this.fpu = fpu;
        this.msrIndices = msrIndices;
        this.msrValues = msrValues;
        this.events = events;
    }

    private static void check(byte[] struct, MemoryLayout layout, String name) {
        if (struct.length != layout.byteSize()) {
            throw new IllegalArgumentException(name + " is " + layout.byteSize() + " bytes, got " + struct.length);
        }
    }

    /**
     * A register of {@code struct kvm_regs} ({@code rax}, ..., {@code r15}, {@code rip},
     * {@code rflags}) or a 64-bit field of {@code struct kvm_sregs} ({@code cr0}, {@code cr2},
     * {@code cr3}, {@code cr4}, {@code cr8}, {@code efer}, {@code apic_base}).
     *
     * @param name the field name as in {@code linux/kvm.h}
     * @return its value
     * @throws IllegalArgumentException if there is no such field
     */
    public long register(String name) {
        for (MemoryLayout member : KvmStructs.REGS.memberLayouts()) {
            if (member.name().orElseThrow().equals(name)) {
                return MemorySegment.ofArray(regs).get(JAVA_LONG_UNALIGNED, KvmStructs.offset(KvmStructs.REGS, name));
            }
        }
        return switch (name) {
            case "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base" ->
                    MemorySegment.ofArray(sregs).get(JAVA_LONG_UNALIGNED, KvmStructs.offset(KvmStructs.SREGS, name));
            default -> throw new IllegalArgumentException("no register " + name + " in kvm_regs or kvm_sregs");
        };
    }

    /**
     * The MSR values saved, by index.
     *
     * @param index the MSR index, for example {@code 0x10} for the TSC
     * @return the value, or empty if the state does not hold that MSR
     */
    public OptionalLong msr(int index) {
        for (int i = 0; i < msrIndices.length; i++) {
            if (msrIndices[i] == index) {
                return OptionalLong.of(msrValues[i]);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The indices of the MSRs saved, in the order they are written.
     *
     * @return a copy
     */
    public int[] msrIndices() {
        return msrIndices.clone();
    }

    byte[] regs() {
        return regs;
    }

    byte[] sregs() {
        return sregs;
    }

    byte[] fpu() {
        return fpu;
    }

    long[] msrValues() {
        return msrValues;
    }

    byte[] events() {
        return events;
    }

    /**
     * Writes the state in the format of version {@value #VERSION}.
     *
     * @param out the destination
     * @throws IOException if {@code out} fails
     */
    public void write(DataOutput out) throws IOException {
        LayoutCodec.write(KvmStructs.REGS, MemorySegment.ofArray(regs), out);
        LayoutCodec.write(KvmStructs.SREGS, MemorySegment.ofArray(sregs), out);
        LayoutCodec.write(KvmStructs.FPU, MemorySegment.ofArray(fpu), out);
        out.writeInt(msrIndices.length);
        for (int i = 0; i < msrIndices.length; i++) {
            out.writeInt(msrIndices[i]);
            out.writeLong(msrValues[i]);
        }
        LayoutCodec.write(KvmStructs.VCPU_EVENTS, MemorySegment.ofArray(events), out);
    }

    /**
     * Reads a state written by {@link #write} of the given version.
     *
     * @param in the source
     * @param version the writer's version
     * @return the state
     * @throws IOException if the version is not {@value #VERSION}, the MSR count is out of range,
     *     or {@code in} fails or ends early
     */
    public static VcpuState read(DataInput in, int version) throws IOException {
        if (version != VERSION) {
            throw new IOException("vCPU state version " + version + " is not supported: Tern reads version " + VERSION);
        }
        byte[] regs = new byte[(int) KvmStructs.REGS.byteSize()];
        byte[] sregs = new byte[(int) KvmStructs.SREGS.byteSize()];
        byte[] fpu = new byte[(int) KvmStructs.FPU.byteSize()];
        LayoutCodec.read(KvmStructs.REGS, MemorySegment.ofArray(regs), in);
        LayoutCodec.read(KvmStructs.SREGS, MemorySegment.ofArray(sregs), in);
        LayoutCodec.read(KvmStructs.FPU, MemorySegment.ofArray(fpu), in);
        int count = in.readInt();
        if (count < 0 || count > MAX_MSRS) {
            throw new IOException("vCPU state holds " + Integer.toUnsignedString(count) + " MSRs, at most " + MAX_MSRS
                    + " are allowed");
        }
        int[] indices = new int[count];
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            indices[i] = in.readInt();
            values[i] = in.readLong();
        }
        byte[] events = new byte[(int) KvmStructs.VCPU_EVENTS.byteSize()];
        LayoutCodec.read(KvmStructs.VCPU_EVENTS, MemorySegment.ofArray(events), in);
        return new VcpuState(regs, sregs, fpu, indices, values, events);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VcpuState other && Arrays.equals(regs, other.regs) && Arrays.equals(sregs, other.sregs)
                && Arrays.equals(fpu, other.fpu) && Arrays.equals(msrIndices, other.msrIndices)
                && Arrays.equals(msrValues, other.msrValues) && Arrays.equals(events, other.events);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + Arrays.hashCode(sregs);
    }

    @Override
    public String toString() {
        return String.format("VcpuState[rip=0x%x, rflags=0x%x, cr0=0x%x, efer=0x%x, msrs=%d]", register("rip"),
                register("rflags"), register("cr0"), register("efer"), msrIndices.length);
    }
}
