package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The register ioctls behind {@link KvmVcpu#saveState()} and {@link KvmVcpu#loadState}: the
 * caller holds the vCPU stopped.
 */
final class VcpuRegisters {
    /**
     * The MSRs {@link KvmVcpu#saveState()} saves when the kernel lets this vCPU read them: the TSC,
     * the SYSENTER and SYSCALL MSRs, the PAT, the kernel GS base, TSC_AUX and MISC_ENABLE. EFER
     * and the FS/GS bases travel in {@code kvm_sregs}.
     */
    static final int[] SAVED_MSRS = {
        0x10, // IA32_TSC
        0x174, 0x175, 0x176, // IA32_SYSENTER_CS, _ESP, _EIP
        0x1A0, // IA32_MISC_ENABLE
        0x277, // IA32_PAT
        0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, // STAR, LSTAR, CSTAR, SFMASK
        0xC0000102, // KERNEL_GS_BASE
        0xC0000103, // TSC_AUX
    };


    private VcpuRegisters() {
    }

    /**
     * {@code KVM_GET_REGS}, {@code KVM_GET_SREGS}, {@code KVM_GET_FPU}, {@code KVM_GET_MSRS}
     * for each of {@link #SAVED_MSRS} (keeping those the vCPU has), {@code KVM_GET_VCPU_EVENTS}.
     *
     * @param vcpuFd the vCPU descriptor
     * @return the state
     */
    static VcpuState save(int vcpuFd) {
        // Each struct lives for this call; the kernel writes layout-sized structs.
        try (Arena scratch = Arena.ofConfined()) {
            byte[] regs = read(vcpuFd, scratch, KvmStructs.REGS, KvmIoctls.KVM_GET_REGS);
            byte[] sregs = read(vcpuFd, scratch, KvmStructs.SREGS, KvmIoctls.KVM_GET_SREGS);
            byte[] fpu = read(vcpuFd, scratch, KvmStructs.FPU, KvmIoctls.KVM_GET_FPU);
            int[] indices = new int[SAVED_MSRS.length];
            long[] values = new long[SAVED_MSRS.length];
            int count = 0;
            MemorySegment one = msrs(scratch, 1);
            for (int index : SAVED_MSRS) {
                one.set(JAVA_INT, KvmStructs.MSRS.byteSize(), index);
                // KVM_GET_MSRS returns how many entries it read: 0 for an MSR this vCPU lacks.
                if (Ioctl.call(vcpuFd, KvmIoctls.KVM_GET_MSRS, one) == 1) {
                    indices[count] = index;
                    values[count] = one.get(JAVA_LONG, KvmStructs.MSRS.byteSize() + 8);
                    count++;
                }
            }
            byte[] events = read(vcpuFd, scratch, KvmStructs.VCPU_EVENTS, KvmIoctls.KVM_GET_VCPU_EVENTS);
            return new VcpuState(regs, sregs, fpu, Arrays.copyOf(indices, count), Arrays.copyOf(values, count),
                    events);
        }
    }

    /**
     * {@code KVM_SET_REGS}, {@code KVM_SET_FPU}, {@code KVM_SET_SREGS}, {@code KVM_SET_MSRS},
     * {@code KVM_SET_VCPU_EVENTS}: QEMU's order ({@code kvm_arch_put_registers}).
     *
     * @param vcpuFd the vCPU descriptor
     * @param vcpu the vCPU id, for messages
     * @param state the state
     */
    static void load(int vcpuFd, int vcpu, VcpuState state) {
        // Each struct lives for this call; the kernel reads layout-sized structs.
        try (Arena scratch = Arena.ofConfined()) {
            write(vcpuFd, scratch, state.regs(), KvmIoctls.KVM_SET_REGS);
            write(vcpuFd, scratch, state.fpu(), KvmIoctls.KVM_SET_FPU);
            write(vcpuFd, scratch, state.sregs(), KvmIoctls.KVM_SET_SREGS);
            setMsrs(vcpuFd, vcpu, scratch, state.msrIndices(), state.msrValues());
            // Last, as QEMU does: the events say what the restored registers were in the middle of.
            write(vcpuFd, scratch, state.events(), KvmIoctls.KVM_SET_VCPU_EVENTS);
        }
    }

    /** {@code KVM_SET_MSRS} with the entries, all of which the kernel must take. */
    private static void setMsrs(int vcpuFd, int vcpu, Arena scratch, int[] indices, long[] values) {
        if (indices.length == 0) {
            return;
        }
        MemorySegment msrs = msrs(scratch, indices.length);
        for (int i = 0; i < indices.length; i++) {
            long entry = KvmStructs.MSRS.byteSize() + i * KvmStructs.MSR_ENTRY.byteSize();
            msrs.set(JAVA_INT, entry, indices[i]);
            msrs.set(JAVA_LONG, entry + 8, values[i]);
        }
        // The struct and its entries (sized for them above) live in the caller's scratch arena;
        // KVM_SET_MSRS returns how many entries it wrote, stopping at the first it refuses.
        int written = Ioctl.call(vcpuFd, KvmIoctls.KVM_SET_MSRS, msrs);
        if (written != indices.length) {
            throw KvmException.msrRefused(vcpu, written, indices.length, indices[written]);
        }
    }

    /** A register getter into a native struct of {@code layout}, copied out. */
    private static byte[] read(int vcpuFd, Arena scratch, MemoryLayout layout, IoctlRequest request) {
        MemorySegment struct = scratch.allocate(layout);
        Ioctl.call(vcpuFd, request, struct);
        return struct.toArray(JAVA_BYTE);
    }

    /** A register setter from a copy of {@code struct} in native memory (8-byte aligned, as the kernel's). */
    private static void write(int vcpuFd, Arena scratch, byte[] struct, IoctlRequest request) {
        MemorySegment copy = scratch.allocate(struct.length, 8);
        MemorySegment.copy(struct, 0, copy, JAVA_BYTE, 0, struct.length);
        Ioctl.call(vcpuFd, request, copy);
    }

    /** A {@code struct kvm_msrs} with {@code count} zeroed entries after it. */
    private static MemorySegment msrs(Arena scratch, int count) {
        MemorySegment msrs = scratch.allocate(KvmStructs.MSRS.byteSize() + count * KvmStructs.MSR_ENTRY.byteSize(), 8);
        msrs.set(JAVA_INT, 0, count);
        return msrs;
    }
}
