package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

@RequiresKvm
class KvmVmTest {

    @Test
    void createAndClose() {
        try (Kvm kvm = Kvm.open()) {
            KvmVm vm = kvm.createVm();
            assertTrue(vm.hasExtension(KvmCapabilities.USER_MEMORY));
            assertEquals(kvm.checkExtension(KvmCapabilities.NR_MEMSLOTS), vm.checkExtension(KvmCapabilities.NR_MEMSLOTS));
            vm.close();
            vm.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> vm.checkExtension(KvmCapabilities.USER_MEMORY));
            assertEquals("KVM VM is closed", e.getMessage());
            assertThrows(IllegalStateException.class, () -> vm.createMemorySlot(0, 0, 4096, false));
        }
    }

    @Test
    void vmOutlivesTheDeviceDescriptor() {
        KvmVm vm;
        try (Kvm kvm = Kvm.open()) {
            vm = kvm.createVm();
        }
        try (vm) {
            assertTrue(vm.hasExtension(KvmCapabilities.USER_MEMORY));
        }
    }

    @Test
    void severalVmsAtOnce() {
        try (Kvm kvm = Kvm.open(); KvmVm a = kvm.createVm(); KvmVm b = kvm.createVm()) {
            try (MemorySlot sa = a.createMemorySlot(0, 0, 4096, false);
                    MemorySlot sb = b.createMemorySlot(0, 0, 4096, false)) {
                // Same slot id and address on two VMs: distinct memory.
                sa.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
                sb.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 2);
                assertEquals(1, sa.memory().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                assertEquals(2, sb.memory().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            }
        }
    }
}
