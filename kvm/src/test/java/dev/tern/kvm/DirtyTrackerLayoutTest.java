package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.Random;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The dirty-tracking structs and requests against {@code linux/kvm.h} (sizes and numbers printed
 * by a C program compiled against the 6.1 header: sizeof(struct kvm_dirty_gfn) 16,
 * sizeof(struct kvm_clear_dirty_log) 24, sizeof(struct kvm_enable_cap) 104,
 * KVM_RESET_DIRTY_RINGS 0xaec7, KVM_CLEAR_DIRTY_LOG 0xc018aec0, KVM_ENABLE_CAP 0x4068aea3).
 */
class DirtyTrackerLayoutTest {
    @Test
    void dirtyGfnIsFlagsSlotOffset() {
        assertEquals(16, KvmStructs.DIRTY_GFN.byteSize());
        assertEquals(0, KvmStructs.DIRTY_GFN_FLAGS);
        assertEquals(4, KvmStructs.DIRTY_GFN_SLOT);
        assertEquals(8, KvmStructs.DIRTY_GFN_OFFSET);
    }

    @Test
    void enableCapHasFourArgumentsAndPadding() {
        assertEquals(104, KvmStructs.ENABLE_CAP.byteSize());
        assertEquals(KvmIoctls.KVM_ENABLE_CAP_SIZE, KvmStructs.ENABLE_CAP.byteSize());
        assertEquals(8, KvmStructs.ENABLE_CAP_ARG0);
    }

    @Test
    void clearDirtyLogFieldsAreWhereTheHeaderPutsThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment clear = arena.allocate(KvmStructs.CLEAR_DIRTY_LOG);
            KvmStructs.CLEAR_DIRTY_LOG_SLOT.set(clear, 0L, 0x0102_0304);
            KvmStructs.CLEAR_DIRTY_LOG_NUM_PAGES.set(clear, 0L, 0x0506_0708);
            KvmStructs.CLEAR_DIRTY_LOG_FIRST_PAGE.set(clear, 0L, 0x1112_1314_1516_1718L);
            KvmStructs.CLEAR_DIRTY_LOG_BITMAP.set(clear, 0L, MemorySegment.ofAddress(0x2122_2324_2526_2728L));
            assertEquals(0x0102_0304, clear.get(JAVA_INT, 0));
            assertEquals(0x0506_0708, clear.get(JAVA_INT, 4));
            assertEquals(0x1112_1314_1516_1718L, clear.get(JAVA_LONG, 8));
            assertEquals(0x2122_2324_2526_2728L, clear.get(JAVA_LONG, 16));
        }
    }

    @Test
    void requestsMatchTheHeader() {
        assertEquals(0xAEC7L, KvmIoctls.KVM_RESET_DIRTY_RINGS.number());
        assertEquals(0xC018AEC0L, KvmIoctls.KVM_CLEAR_DIRTY_LOG.number());
        assertEquals(0x4068AEA3L, KvmIoctls.KVM_ENABLE_CAP.number());
    }

    @Test
    void capabilityAndFlagNumbersMatchTheHeader() {
        assertEquals(168, KvmCapabilities.MANUAL_DIRTY_LOG_PROTECT2);
        assertEquals(192, KvmCapabilities.DIRTY_LOG_RING);
        assertEquals(223, KvmCapabilities.DIRTY_LOG_RING_ACQ_REL);
        assertEquals(1, ManualClearDirtyTracker.MANUAL_PROTECT_ENABLE);
        assertEquals(2, ManualClearDirtyTracker.INITIALLY_SET);
        assertEquals(1, VcpuDirtyRing.F_DIRTY);
        assertEquals(2, VcpuDirtyRing.F_RESET);
        assertEquals(3, VcpuDirtyRing.F_MASK);
        assertEquals(64, VcpuDirtyRing.PAGE_OFFSET);
    }

    @Test
    void bitmapWordsOrAgreesWithABitSetOracle() {
        Random random = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 500; round++) {
                int words = 1 + random.nextInt(40);
                MemorySegment kernel = arena.allocate(words * 8L, 8);
                long[] engine = new long[words];
                for (int i = 0; i < words; i++) {
                    // Sparse, dense and empty words.
                    long bits = switch (random.nextInt(3)) {
                        case 0 -> 0L;
                        case 1 -> 1L << random.nextInt(64);
                        default -> random.nextLong();
                    };
                    kernel.setAtIndex(JAVA_LONG, i, bits);
                    engine[i] = random.nextInt(4) == 0 ? random.nextLong() : 0L;
                }
                BitSet reported = BitSet.valueOf(kernel.toArray(JAVA_LONG));
                BitSet expected = BitSet.valueOf(engine);
                expected.or(reported);
                assertEquals(reported.cardinality(), DirtyBitmapWords.orInto(kernel, MemorySegment.ofArray(engine), words));
                assertEquals(expected, BitSet.valueOf(engine));
            }
        }
    }

    @Test
    void bitmapWordsOrAndCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment kernel = arena.allocate(24, 8);
            kernel.setAtIndex(JAVA_LONG, 0, 0b1011L);
            kernel.setAtIndex(JAVA_LONG, 2, Long.MIN_VALUE);
            long[] engine = {0b0110L, 7L, 0L};
            assertEquals(4, DirtyBitmapWords.orInto(kernel, MemorySegment.ofArray(engine), 3));
            assertEquals(0b1111L, engine[0]);
            assertEquals(7L, engine[1]);
            assertEquals(Long.MIN_VALUE, engine[2]);
            assertEquals(0, DirtyBitmapWords.words(0));
            assertEquals(1, DirtyBitmapWords.words(64));
            assertEquals(2, DirtyBitmapWords.words(65));
        }
    }
}
