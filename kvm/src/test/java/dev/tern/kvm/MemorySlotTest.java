package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresKvm
class MemorySlotTest {
    private static final long MIB = 1L << 20;

    private Kvm kvm;
    private KvmVm vm;

    @BeforeEach
    void createVm() {
        kvm = Kvm.open();
        vm = kvm.createVm();
    }

    @AfterEach
    void closeVm() {
        vm.close();
        kvm.close();
    }

    @Test
    void describesItsRange() {
        MemorySlot slot = vm.createMemorySlot(3, 0x10_0000, 2 * MIB, false);
        assertEquals(3, slot.slot());
        assertEquals(0x10_0000, slot.guestPhysAddr());
        assertEquals(2 * MIB, slot.size());
        assertEquals(2 * MIB, slot.memory().byteSize());
        assertEquals(4096, MemorySlot.pageSize());
        assertEquals(512, slot.pageCount());
        assertEquals(64, slot.dirtyBitmapSize());
        assertFalse(slot.dirtyLogging());
        assertEquals(List.of(slot), vm.memorySlots());
    }

    @Test
    void bitmapSizeRoundsUpToWholeWords() {
        assertEquals(8, vm.createMemorySlot(0, 0, 4096, false).dirtyBitmapSize());
        assertEquals(8, vm.createMemorySlot(1, MIB, 64 * 4096, false).dirtyBitmapSize());
        assertEquals(16, vm.createMemorySlot(2, 2 * MIB, 65 * 4096, false).dirtyBitmapSize());
    }

    @Test
    void memoryIsZeroedAndReadsBackWhatJavaWrote() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 4 * MIB, false);
        MemorySegment ram = slot.memory();
        assertEquals(-1L, ram.mismatch(MemorySegment.ofArray(new byte[(int) ram.byteSize()])), "fresh RAM is zero");
        byte[] pattern = new byte[(int) ram.byteSize()];
        new Random(42).nextBytes(pattern);
        MemorySegment.copy(pattern, 0, ram, JAVA_BYTE, 0, pattern.length);
        byte[] back = new byte[pattern.length];
        MemorySegment.copy(ram, JAVA_BYTE, 0, back, 0, back.length);
        assertEquals(-1L, MemorySegment.ofArray(pattern).mismatch(MemorySegment.ofArray(back)));
        ram.set(JAVA_LONG, ram.byteSize() - 8, 0x0123_4567_89AB_CDEFL);
        assertEquals(0x0123_4567_89AB_CDEFL, ram.get(JAVA_LONG, ram.byteSize() - 8));
        assertThrows(IndexOutOfBoundsException.class, () -> ram.get(JAVA_BYTE, ram.byteSize()));
    }

    @Test
    void dirtyLogIsEmptyWithoutGuestWrites() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 2 * MIB, true);
        assertTrue(slot.dirtyLogging());
        // Host writes do not go through the guest's page tables, so KVM does not log them.
        slot.memory().fill((byte) 0x5A);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bitmap = slot.allocateDirtyBitmap(arena);
            bitmap.fill((byte) 0xFF);
            slot.getDirtyLog(bitmap);
            assertEquals(-1L, bitmap.mismatch(arena.allocate(bitmap.byteSize())), "all zero");
        }
    }

    @Test
    void dirtyLogNeedsLoggingOn() {
        MemorySlot slot = vm.createMemorySlot(0, 0, MIB, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bitmap = slot.allocateDirtyBitmap(arena);
            KvmException e = assertThrows(KvmException.class, () -> slot.getDirtyLog(bitmap));
            assertEquals("KVM_GET_DIRTY_LOG failed: ENOENT (2)", e.getMessage());

            slot.setDirtyLogging(true);
            assertTrue(slot.dirtyLogging());
            bitmap.fill((byte) 0xFF);
            slot.getDirtyLog(bitmap);
            assertEquals(-1L, bitmap.mismatch(arena.allocate(bitmap.byteSize())));

            slot.setDirtyLogging(false);
            assertFalse(slot.dirtyLogging());
            assertThrows(KvmException.class, () -> slot.getDirtyLog(bitmap));
        }
    }

    @Test
    void dirtyBitmapMustBeNativeAndLargeEnough() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 2 * MIB, true);
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                () -> slot.getDirtyLog(MemorySegment.ofArray(new long[8])));
        assertEquals("the dirty bitmap must be native memory: the kernel writes it", heap.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> slot.getDirtyLog(arena.allocate(56)));
            assertEquals("the dirty bitmap of slot 0 needs 64 bytes, got 56", small.getMessage());
            slot.getDirtyLog(arena.allocate(64));
            slot.getDirtyLog(arena.allocate(4096));
        }
    }

    @Test
    void overlappingSlotsAreRefusedByKvm() {
        vm.createMemorySlot(0, 0, 2 * MIB, false);
        KvmException e = assertThrows(KvmException.class, () -> vm.createMemorySlot(1, MIB, 2 * MIB, false));
        assertEquals("KVM_SET_USER_MEMORY_REGION failed: EEXIST (17)", e.getMessage());
        assertEquals(1, vm.memorySlots().size(), "the refused slot is not kept");
        vm.createMemorySlot(1, 2 * MIB, 2 * MIB, false);
    }

    @Test
    void argumentsAreChecked() {
        vm.createMemorySlot(0, 0, 4096, false);
        assertEquals("memory slot 0 is already in use",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(0, MIB, 4096, false)).getMessage());
        assertEquals("memory slot id must be 0 to 65535: 65536",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(65536, MIB, 4096, false)).getMessage());
        assertEquals("memory slot id must be 0 to 65535: -1",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(-1, MIB, 4096, false)).getMessage());
        assertEquals("memory slot size must be a positive multiple of 4096: 4095",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(1, MIB, 4095, false)).getMessage());
        assertEquals("memory slot size must be a positive multiple of 4096: 0",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(1, MIB, 0, false)).getMessage());
        assertEquals("guest physical address must be a multiple of 4096: 0x100800",
                assertThrows(IllegalArgumentException.class, () -> vm.createMemorySlot(1, MIB + 2048, 4096, false)).getMessage());
    }

    @Test
    void kvmBoundsSlotIdsByItsSlotCount() {
        int count = vm.checkExtension(KvmCapabilities.NR_MEMSLOTS);
        vm.createMemorySlot(count - 1, 0, 4096, false);
        KvmException e = assertThrows(KvmException.class, () -> vm.createMemorySlot(count, MIB, 4096, false));
        assertEquals("KVM_SET_USER_MEMORY_REGION failed: EINVAL (22)", e.getMessage());
    }

    @Test
    void closedSlotFreesItsIdAndItsMemory() {
        MemorySlot slot = vm.createMemorySlot(0, 0, MIB, true);
        MemorySegment ram = slot.memory();
        slot.close();
        slot.close();
        assertThrows(IllegalStateException.class, () -> ram.get(JAVA_BYTE, 0));
        assertEquals(List.of(), vm.memorySlots());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bitmap = arena.allocate(64);
            assertEquals("memory slot 0 is closed",
                    assertThrows(IllegalStateException.class, () -> slot.getDirtyLog(bitmap)).getMessage());
        }
        assertThrows(IllegalStateException.class, () -> slot.setDirtyLogging(false));
        // The id and the range are free again: the slot was unregistered from KVM.
        MemorySlot again = vm.createMemorySlot(0, 0, MIB, false);
        assertEquals(0, again.memory().get(JAVA_BYTE, 0));
    }

    @Test
    void closingTheVmClosesItsSlots() {
        MemorySlot a = vm.createMemorySlot(0, 0, MIB, false);
        MemorySlot b = vm.createMemorySlot(1, MIB, MIB, false);
        vm.close();
        assertThrows(IllegalStateException.class, () -> a.memory().get(JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> b.memory().get(JAVA_BYTE, 0));
        assertEquals(List.of(), vm.memorySlots());
        a.close();
    }
}
