package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

@RequiresKvm
class KvmTest {

    @Test
    void apiVersionIs12() {
        try (Kvm kvm = Kvm.open()) {
            assertEquals(12, kvm.apiVersion());
        }
    }

    @Test
    void extensions() {
        try (Kvm kvm = Kvm.open()) {
            assertTrue(kvm.hasExtension(KvmCapabilities.USER_MEMORY));
            assertEquals(1, kvm.checkExtension(KvmCapabilities.USER_MEMORY));
            assertTrue(kvm.checkExtension(KvmCapabilities.NR_MEMSLOTS) > 1, "returns the slot count");
            assertTrue(kvm.hasExtension(KvmCapabilities.SYNC_MMU));
            assertTrue(kvm.hasExtension(KvmCapabilities.CHECK_EXTENSION_VM));
            // No such capability: KVM answers 0, not an error.
            assertEquals(0, kvm.checkExtension(100_000));
            assertFalse(kvm.hasExtension(-1));
        }
    }

    @Test
    void vcpuMmapSizeCoversKvmRun() {
        try (Kvm kvm = Kvm.open()) {
            int size = kvm.vcpuMmapSize();
            assertTrue(size >= 4096, "at least the kvm_run page: " + size);
            assertEquals(0, size % MemorySlot.pageSize());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailCleanly() {
        Kvm kvm = Kvm.open();
        kvm.close();
        kvm.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, kvm::apiVersion);
        assertEquals("/dev/kvm is closed", e.getMessage());
        assertThrows(IllegalStateException.class, kvm::createVm);
    }
}
