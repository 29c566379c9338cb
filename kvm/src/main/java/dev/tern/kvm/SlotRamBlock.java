package dev.tern.kvm;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A KVM memory slot as the engine's {@link RamBlock}: the slot's shared anonymous mapping is the
 * block's memory, its size the used length, its guest physical address the block's.
 *
 * @param name the block's id string, for example {@code "pc.ram"}
 * @param slot the slot
 */
record SlotRamBlock(String name, MemorySlot slot) implements RamBlock {
    /** Checks the references. */
    SlotRamBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(slot, "slot");
    }

    @Override
    public MemorySegment memory() {
        return slot.memory();
    }

    @Override
    public long usedLength() {
        return slot.size();
    }

    @Override
    public long pageSize() {
        return MemorySlot.pageSize();
    }

    @Override
    public OptionalLong guestPhysicalAddress() {
        return OptionalLong.of(slot.guestPhysAddr());
    }
}
