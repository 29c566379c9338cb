package dev.tern.kvm;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A KVM memory slot as the engine's {@link RamBlock}: the slot's mapping is the
 * block's memory, its size the used length, its guest physical address the block's.
 *
 * @param name the block's id string, for example {@code "pc.ram"}
 * @param slot the slot
 * @param backingFile the file the slot maps, for a file-backed slot (its offset 0 is the
 *     slot's first byte); empty for anonymous memory
 */
record SlotRamBlock(String name, MemorySlot slot, Optional<FileChannel> backingFile) implements RamBlock {
    /** Checks the references. */
    SlotRamBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(backingFile, "backingFile");
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
