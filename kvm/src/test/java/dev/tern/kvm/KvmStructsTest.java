package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Struct layouts and request numbers against the kernel headers of this machine
 * ({@code linux/kvm.h}, {@code asm/kvm.h}, glibc's {@code signal.h}); every expected value was
 * printed by a C program with {@code sizeof}, {@code offsetof} and the request macros.
 */
class KvmStructsTest {
    @Test
    void kvmRun() {
        assertEquals(2352, KvmStructs.KVM_RUN.byteSize());
        assertEquals(1, KvmStructs.RUN_IMMEDIATE_EXIT);
        assertEquals(8, KvmStructs.RUN_EXIT_REASON);
        assertEquals(12, KvmStructs.offset(KvmStructs.KVM_RUN, "ready_for_interrupt_injection"));
        assertEquals(14, KvmStructs.offset(KvmStructs.KVM_RUN, "flags"));
        assertEquals(16, KvmStructs.offset(KvmStructs.KVM_RUN, "cr8"));
        assertEquals(24, KvmStructs.offset(KvmStructs.KVM_RUN, "apic_base"));
        assertEquals(32, KvmStructs.offset(KvmStructs.KVM_RUN, "exit"));
        assertEquals(32, KvmStructs.RUN_IO_DIRECTION);
        assertEquals(33, KvmStructs.RUN_IO_SIZE);
        assertEquals(34, KvmStructs.RUN_IO_PORT);
        assertEquals(36, KvmStructs.RUN_IO_COUNT);
        assertEquals(40, KvmStructs.RUN_IO_DATA_OFFSET);
        assertEquals(32, KvmStructs.RUN_MMIO_PHYS_ADDR);
        assertEquals(40, KvmStructs.RUN_MMIO_DATA);
        assertEquals(48, KvmStructs.RUN_MMIO_LEN);
        assertEquals(52, KvmStructs.RUN_MMIO_IS_WRITE);
        assertEquals(32, KvmStructs.RUN_FAIL_ENTRY_REASON);
        assertEquals(40, KvmStructs.RUN_FAIL_ENTRY_CPU);
        assertEquals(32, KvmStructs.RUN_INTERNAL_SUBERROR);
        assertEquals(36, KvmStructs.RUN_INTERNAL_NDATA);
        assertEquals(40, KvmStructs.RUN_INTERNAL_DATA);
        assertEquals(288, KvmStructs.offset(KvmStructs.KVM_RUN, "kvm_valid_regs"));
        assertEquals(296, KvmStructs.offset(KvmStructs.KVM_RUN, "kvm_dirty_regs"));
        assertEquals(304, KvmStructs.offset(KvmStructs.KVM_RUN, "s"));
    }

    @Test
    void kvmRegs() {
        assertEquals(144, KvmStructs.REGS.byteSize());
        assertEquals(8, KvmStructs.offset(KvmStructs.REGS, "rbx"));
        assertEquals(128, KvmStructs.offset(KvmStructs.REGS, "rip"));
        assertEquals(136, KvmStructs.offset(KvmStructs.REGS, "rflags"));
    }

    @Test
    void kvmSregs() {
        assertEquals(312, KvmStructs.SREGS.byteSize());
        assertEquals(24, KvmStructs.SEGMENT.byteSize());
        assertEquals(16, KvmStructs.DTABLE.byteSize());
        assertEquals(0, KvmStructs.offset(KvmStructs.SREGS, "cs"));
        assertEquals(144, KvmStructs.offset(KvmStructs.SREGS, "tr"));
        assertEquals(168, KvmStructs.offset(KvmStructs.SREGS, "ldt"));
        assertEquals(192, KvmStructs.offset(KvmStructs.SREGS, "gdt"));
        assertEquals(208, KvmStructs.offset(KvmStructs.SREGS, "idt"));
        assertEquals(224, KvmStructs.offset(KvmStructs.SREGS, "cr0"));
        assertEquals(256, KvmStructs.offset(KvmStructs.SREGS, "cr8"));
        assertEquals(264, KvmStructs.offset(KvmStructs.SREGS, "efer"));
        assertEquals(272, KvmStructs.offset(KvmStructs.SREGS, "apic_base"));
        assertEquals(280, KvmStructs.offset(KvmStructs.SREGS, "interrupt_bitmap"));
        assertEquals(8, KvmStructs.offset(KvmStructs.SEGMENT, "limit"));
        assertEquals(12, KvmStructs.offset(KvmStructs.SEGMENT, "selector"));
        assertEquals(14, KvmStructs.offset(KvmStructs.SEGMENT, "type"));
        assertEquals(15, KvmStructs.offset(KvmStructs.SEGMENT, "present"));
        assertEquals(16, KvmStructs.offset(KvmStructs.SEGMENT, "dpl"));
        assertEquals(17, KvmStructs.offset(KvmStructs.SEGMENT, "db"));
        assertEquals(18, KvmStructs.offset(KvmStructs.SEGMENT, "s"));
        assertEquals(19, KvmStructs.offset(KvmStructs.SEGMENT, "l"));
        assertEquals(20, KvmStructs.offset(KvmStructs.SEGMENT, "g"));
        assertEquals(21, KvmStructs.offset(KvmStructs.SEGMENT, "avl"));
        assertEquals(22, KvmStructs.offset(KvmStructs.SEGMENT, "unusable"));
        assertEquals(8, KvmStructs.offset(KvmStructs.DTABLE, "limit"));
    }

    @Test
    void kvmFpu() {
        assertEquals(416, KvmStructs.FPU.byteSize());
        assertEquals(128, KvmStructs.offset(KvmStructs.FPU, "fcw"));
        assertEquals(130, KvmStructs.offset(KvmStructs.FPU, "fsw"));
        assertEquals(132, KvmStructs.offset(KvmStructs.FPU, "ftwx"));
        assertEquals(134, KvmStructs.offset(KvmStructs.FPU, "last_opcode"));
        assertEquals(136, KvmStructs.offset(KvmStructs.FPU, "last_ip"));
        assertEquals(144, KvmStructs.offset(KvmStructs.FPU, "last_dp"));
        assertEquals(152, KvmStructs.offset(KvmStructs.FPU, "xmm"));
        assertEquals(408, KvmStructs.offset(KvmStructs.FPU, "mxcsr"));
    }

    @Test
    void kvmMsrs() {
        assertEquals(8, KvmStructs.MSRS.byteSize());
        assertEquals(16, KvmStructs.MSR_ENTRY.byteSize());
        assertEquals(4, KvmStructs.offset(KvmStructs.MSR_ENTRY, "reserved"));
        assertEquals(8, KvmStructs.offset(KvmStructs.MSR_ENTRY, "data"));
    }

    @Test
    void kvmVcpuEvents() {
        assertEquals(64, KvmStructs.VCPU_EVENTS.byteSize());
        assertEquals(64, LayoutCodec.encodedSize(KvmStructs.VCPU_EVENTS));
        assertEquals(4, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "exception", "error_code"));
        assertEquals(8, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "interrupt"));
        assertEquals(11, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "interrupt", "shadow"));
        assertEquals(12, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "nmi"));
        assertEquals(16, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "sipi_vector"));
        assertEquals(20, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "flags"));
        assertEquals(24, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "smi"));
        assertEquals(28, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "triple_fault"));
        assertEquals(29, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "reserved"));
        assertEquals(55, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "exception_has_payload"));
        assertEquals(56, KvmStructs.offset(KvmStructs.VCPU_EVENTS, "exception_payload"));
    }

    @Test
    void glibcSigaction() {
        assertEquals(152, VcpuSignal.SIGACTION.byteSize());
        assertEquals(8, KvmStructs.offset(VcpuSignal.SIGACTION, "sa_mask"));
        assertEquals(136, KvmStructs.offset(VcpuSignal.SIGACTION, "sa_flags"));
        assertEquals(144, KvmStructs.offset(VcpuSignal.SIGACTION, "sa_restorer"));
        assertEquals(128, VcpuSignal.SIGSET_SIZE);
    }

    @Test
    void vcpuRequests() {
        assertEquals(44672L, KvmIoctls.KVM_RUN.number());
        assertEquals(2156965505L, KvmIoctls.KVM_GET_REGS.number());
        assertEquals(1083223682L, KvmIoctls.KVM_SET_REGS.number());
        assertEquals(2167975555L, KvmIoctls.KVM_GET_SREGS.number());
        assertEquals(1094233732L, KvmIoctls.KVM_SET_SREGS.number());
        assertEquals(2174791308L, KvmIoctls.KVM_GET_FPU.number());
        assertEquals(1101049485L, KvmIoctls.KVM_SET_FPU.number());
        assertEquals(3221794440L, KvmIoctls.KVM_GET_MSRS.number());
        assertEquals(1074310793L, KvmIoctls.KVM_SET_MSRS.number());
        assertEquals(44615L, KvmIoctls.KVM_SET_TSS_ADDR.number());
        assertEquals(1074310728L, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR.number());
        assertEquals(44609L, KvmIoctls.KVM_CREATE_VCPU.number());
        assertEquals(2151722655L, KvmIoctls.KVM_GET_VCPU_EVENTS.number());
        assertEquals(1077980832L, KvmIoctls.KVM_SET_VCPU_EVENTS.number());
    }

    @Test
    void requestsCarryTheirStructSize() {
        assertEquals(312, KvmIoctls.KVM_GET_SREGS.argumentSize());
        assertEquals(416, KvmIoctls.KVM_SET_FPU.argumentSize());
        assertEquals(144, KvmIoctls.KVM_GET_REGS.argumentSize());
        assertEquals(8, KvmIoctls.KVM_GET_MSRS.argumentSize());
        assertEquals(0, KvmIoctls.KVM_RUN.argumentSize());
        assertEquals(16383, IoctlRequest.iowr("max", 0xFF, 0xFF, 16383).argumentSize());
    }

    @Test
    void encodedSizesLeavePaddingOut() {
        assertEquals(144, LayoutCodec.encodedSize(KvmStructs.REGS));
        assertEquals(23, LayoutCodec.encodedSize(KvmStructs.SEGMENT));
        assertEquals(10, LayoutCodec.encodedSize(KvmStructs.DTABLE));
        assertEquals(292, LayoutCodec.encodedSize(KvmStructs.SREGS));
        assertEquals(411, LayoutCodec.encodedSize(KvmStructs.FPU));
    }

    @Test
    void exitReasonNames() {
        assertEquals("KVM_EXIT_SHUTDOWN (8)", ExitReason.describe(8));
        assertEquals("KVM_EXIT_NOTIFY (37)", ExitReason.describe(37));
        assertEquals("KVM_EXIT_UNKNOWN (0)", ExitReason.describe(0));
        assertEquals("exit reason 38", ExitReason.describe(38));
        assertEquals("exit reason -1", ExitReason.describe(-1));
        assertEquals("KVM_INTERNAL_ERROR_EMULATION (1)", ExitReason.describeInternalError(1));
        assertEquals("suberror 9", ExitReason.describeInternalError(9));
    }
}
