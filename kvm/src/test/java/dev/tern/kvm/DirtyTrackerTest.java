package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trackers' set-up, arguments and KVM-side state, without a running guest. */
@RequiresKvm
class DirtyTrackerTest {
    private static final long PAGE = 4096;

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
    void aVmHasOneTracker() {
        KvmDirtyTracker first = KvmDirtyTracker.create(vm, DirtyTrackingMode.MANUAL_CLEAR);
        assertEquals(DirtyTrackingMode.MANUAL_CLEAR, first.mode());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP));
        assertEquals("the VM already has a MANUAL_CLEAR dirty tracker", e.getMessage());
        first.close();
        assertThrows(IllegalStateException.class, () -> KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP));
    }

    @Test
    void startAndStopTurnLoggingOnEverySlot() {
        MemorySlot a = vm.createMemorySlot(0, 0, 64 * PAGE, false);
        MemorySlot b = vm.createMemorySlot(1, 1L << 20, 64 * PAGE, false);
        try (KvmDirtyTracker tracker = KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP)) {
            tracker.start();
            assertTrue(a.dirtyLogging() && b.dirtyLogging());
            tracker.stop();
            assertTrue(!a.dirtyLogging() && !b.dirtyLogging());
            KvmException off = assertThrows(KvmException.class, () -> tracker.syncInto(a, MemorySegment.ofArray(new long[1])));
            assertEquals("KVM_GET_DIRTY_LOG failed: ENOENT (2)", off.getMessage());
        }
    }

    @Test
    void bitmapSyncWithoutGuestWritesReportsNothing() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 200 * PAGE, false);
        try (KvmDirtyTracker tracker = KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP)) {
            tracker.start();
            // Host writes do not go through the guest's page tables.
            slot.memory().fill((byte) 1);
            long[] words = {0, 1L << 40, 0, 0};
            assertEquals(0, tracker.syncInto(slot, MemorySegment.ofArray(words)));
            assertEquals(1L << 40, words[1], "bits already set stay set");
        }
    }

    @Test
    void manualClearFirstSyncReportsEveryPageAndClearsThemAllAcrossChunks() {
        // 200 pages: three whole chunks of 64 and a last one of 8 that ends on the slot's end.
        MemorySlot slot = vm.createMemorySlot(0, 0, 200 * PAGE, false);
        MemorySlot other = vm.createMemorySlot(1, 1L << 20, 64 * PAGE, false);
        ManualClearDirtyTracker tracker = ManualClearDirtyTracker.create(vm, 64);
        assumeTrue(tracker.initiallySet(), "KVM_DIRTY_LOG_INITIALLY_SET not offered");
        tracker.start();
        long[] words = new long[4];
        assertEquals(200, tracker.syncInto(slot, MemorySegment.ofArray(words)));
        BitSet expected = new BitSet();
        expected.set(0, 200);
        assertEquals(expected, BitSet.valueOf(words));
        long[] again = new long[4];
        assertEquals(0, tracker.syncInto(slot, MemorySegment.ofArray(again)), "every chunk was cleared, the last partial one too");
        assertEquals(new BitSet(), BitSet.valueOf(again));
        // The other slot keeps its own initial set until it is synced.
        assertEquals(64, tracker.syncInto(other, MemorySegment.ofArray(new long[1])));
        tracker.close();
    }

    @Test
    void manualClearChunkMustBeAMultipleOf64() {
        assertEquals("the clear chunk must be a positive multiple of 64 pages: 100",
                assertThrows(IllegalArgumentException.class, () -> ManualClearDirtyTracker.create(vm, 100)).getMessage());
        assertEquals("the clear chunk must be a positive multiple of 64 pages: 0",
                assertThrows(IllegalArgumentException.class, () -> ManualClearDirtyTracker.create(vm, 0)).getMessage());
        assertEquals(ManualClearDirtyTracker.DEFAULT_CHUNK_PAGES,
                ((ManualClearDirtyTracker) KvmDirtyTracker.create(vm, DirtyTrackingMode.MANUAL_CLEAR)).chunkPages());
    }

    @Test
    void kvmRefusesAClearRangeNotStartingOnAWord() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 200 * PAGE, false);
        KvmDirtyTracker.create(vm, DirtyTrackingMode.MANUAL_CLEAR).start();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment bits = arena.allocate(32);
            slot.clearDirtyLog(64, 64, bits);
            slot.clearDirtyLog(192, 8, bits);
            assertEquals("KVM_CLEAR_DIRTY_LOG failed: EINVAL (22)",
                    assertThrows(KvmException.class, () -> slot.clearDirtyLog(32, 64, bits)).getMessage());
            assertEquals("KVM_CLEAR_DIRTY_LOG failed: EINVAL (22)",
                    assertThrows(KvmException.class, () -> slot.clearDirtyLog(64, 100, bits)).getMessage());
        }
    }

    @Test
    void syncArgumentsAreChecked() {
        MemorySlot slot = vm.createMemorySlot(0, 0, 65 * PAGE, true);
        KvmDirtyTracker tracker = KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP);
        assertEquals("the dirty bitmap of slot 0 needs 16 bytes, got 8", assertThrows(IllegalArgumentException.class,
                () -> tracker.syncInto(slot, MemorySegment.ofArray(new long[1]))).getMessage());
        try (KvmVm otherVm = kvm.createVm()) {
            MemorySlot foreign = otherVm.createMemorySlot(0, 0, PAGE, true);
            assertEquals("memory slot 0 belongs to another VM", assertThrows(IllegalArgumentException.class,
                    () -> tracker.syncInto(foreign, MemorySegment.ofArray(new long[1]))).getMessage());
        }
        tracker.close();
        assertEquals("the BITMAP dirty tracker is closed", assertThrows(IllegalStateException.class,
                () -> tracker.syncInto(slot, MemorySegment.ofArray(new long[2]))).getMessage());
    }

    @Test
    void ringSizeIsChecked() {
        int max = vm.checkExtension(KvmCapabilities.DIRTY_LOG_RING) / 16;
        assumeTrue(max > 0, "no dirty ring");
        assertEquals("dirty ring size must be a power of two: 1000", assertThrows(IllegalArgumentException.class,
                () -> KvmDirtyTracker.createRing(vm, 1000)).getMessage());
        assertEquals("dirty ring size must be 256 to " + max + " entries: 128",
                assertThrows(IllegalArgumentException.class, () -> KvmDirtyTracker.createRing(vm, 128)).getMessage());
        assertEquals("dirty ring size must be 256 to " + max + " entries: " + max * 2,
                assertThrows(IllegalArgumentException.class, () -> KvmDirtyTracker.createRing(vm, max * 2)).getMessage());
        RingDirtyTracker ring = (RingDirtyTracker) KvmDirtyTracker.createRing(vm, 256);
        assertEquals(256, ring.ringEntries());
        assertEquals(DirtyTrackingMode.RING, ring.mode());
        ring.close();
    }

    @Test
    void ringMapsFromTheVcpuDescriptorAndStartsEmpty() {
        assumeTrue(vm.hasExtension(KvmCapabilities.DIRTY_LOG_RING), "no dirty ring");
        MemorySlot slot = vm.createMemorySlot(0, 0, 64 * PAGE, false);
        RingDirtyTracker ring = (RingDirtyTracker) KvmDirtyTracker.createRing(vm, 1024);
        FileDescriptor vcpu = new FileDescriptor(Ioctl.call(vm.fd(), KvmIoctls.KVM_CREATE_VCPU, 0L), "vCPU 0");
        try {
            ring.attach(0, vcpu.get());
            ring.start();
            assertEquals(0, ring.harvest());
            assertEquals(0, ring.syncInto(slot, MemorySegment.ofArray(new long[1])));
            assertEquals(0, ring.pagesReaped(0));
            assertEquals(0, ring.ringFull(0));
            ring.setRingFullSleep(0, 250);
            assertEquals(250, ring.ringFull(0));
            ring.setRingFullSleep(0, 0);
            assertEquals(0, ring.ringFull(0));
            assertEquals("the ring-full sleep must not be negative: -1",
                    assertThrows(IllegalArgumentException.class, () -> ring.setRingFullSleep(0, -1)).getMessage());
            ring.close();
            assertEquals("the RING dirty tracker is closed",
                    assertThrows(IllegalStateException.class, () -> ring.ringFull(0)).getMessage());
        } finally {
            vcpu.close();
        }
    }

    @Test
    void ringCannotBeEnabledOnceAVcpuExists() {
        assumeTrue(vm.hasExtension(KvmCapabilities.DIRTY_LOG_RING), "no dirty ring");
        FileDescriptor vcpu = new FileDescriptor(Ioctl.call(vm.fd(), KvmIoctls.KVM_CREATE_VCPU, 0L), "vCPU 0");
        try {
            KvmException e = assertThrows(KvmException.class, () -> KvmDirtyTracker.createRing(vm, 1024));
            assertEquals("KVM_ENABLE_CAP failed: EINVAL (22)", e.getMessage());
            // The refused tracker is not kept.
            KvmDirtyTracker.create(vm, DirtyTrackingMode.BITMAP).close();
        } finally {
            vcpu.close();
        }
    }
}
