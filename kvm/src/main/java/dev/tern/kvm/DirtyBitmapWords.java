package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bitmap convention shared by KVM and the engine: one bit per page, bit {@code i % 64} of
 * the 64-bit word {@code i / 64}. KVM writes native-order {@code unsigned long}s; the engine's
 * words ({@code dev.tern.api.guest.DirtyLog#syncInto}) are little-endian, the same bytes on
 * x86-64.
 */
final class DirtyBitmapWords {
    /** The engine's words: little-endian, in a segment that may be on the heap. */
    static final ValueLayout.OfLong ENGINE_WORD = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private DirtyBitmapWords() {
    }

    /**
     * The words a bitmap of {@code pages} bits needs.
     *
     * @param pages the page count
     * @return {@code ceil(pages / 64)}
     */
    static long words(long pages) {
        return (pages + 63) >>> 6;
    }

    /**
     * ORs {@code words} native-order words of {@code kernel} into {@code engine}.
     *
     * @param kernel a bitmap KVM wrote
     * @param engine the engine's bitmap
     * @param words how many words
     * @return the number of bits set in {@code kernel}
     */
    static long orInto(MemorySegment kernel, MemorySegment engine, long words) {
        long count = 0;
        for (long i = 0; i < words; i++) {
            long bits = kernel.getAtIndex(JAVA_LONG, i);
            if (bits != 0) {
                count += Long.bitCount(bits);
                engine.set(ENGINE_WORD, i * 8, engine.get(ENGINE_WORD, i * 8) | bits);
            }
        }
        return count;
    }

    /**
     * Checks that {@code engine} can hold a bitmap of {@code slot}.
     *
     * @param slot the slot
     * @param engine the engine's bitmap
     * @throws IllegalArgumentException if it is too small
     */
    static void checkFits(MemorySlot slot, MemorySegment engine) {
        long needed = words(slot.pageCount()) * 8;
        if (engine.byteSize() < needed) {
            throw new IllegalArgumentException("the dirty bitmap of slot " + slot.slot() + " needs " + needed
                    + " bytes, got " + engine.byteSize());
        }
    }
}
