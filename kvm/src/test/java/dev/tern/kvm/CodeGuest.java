package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/** A VM of 1 MiB that runs a few bytes of 32-bit code at 0x1000 on vCPU 0; for exit tests. */
final class CodeGuest implements AutoCloseable {
    final KvmVm vm;
    final MemorySlot ram;
    final KvmVcpu vcpu;

    CodeGuest(Kvm kvm, VcpuIoHandler io, byte... code) {
        vm = kvm.createVm();
        vm.setTssAddr(SweepGuest.TSS_ADDRESS);
        vm.setIdentityMapAddr(SweepGuest.IDENTITY_MAP_ADDRESS);
        ram = vm.createMemorySlot(0, 0, 1L << 20, false);
        MemorySegment.copy(code, 0, ram.memory(), JAVA_BYTE, 0x1000, code.length);
        vcpu = vm.createVcpu(0, io);
        FlatProtectedMode.enter(vcpu, 0x1000);
    }

    @Override
    public void close() {
        vm.close();
    }
}
