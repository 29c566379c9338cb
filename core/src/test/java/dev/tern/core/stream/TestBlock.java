package dev.tern.core.stream;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/** A configurable RAM block for tests. */
public final class TestBlock implements RamBlock {
    private final String name;
    private final MemorySegment memory;
    private long used;
    private long pageSize = 4096;
    private boolean shared;
    private boolean resizable;
    private OptionalLong gpa = OptionalLong.empty();

    /**
     * @param name the name
     * @param memory the memory; its size is the maximum length
     * @param used the used length
     */
    public TestBlock(String name, MemorySegment memory, long used) {
        this.name = name;
        this.memory = memory;
        this.used = used;
    }

    /**
     * @param name the name
     * @param bytes the size of fresh native memory in the automatic arena
     * @return the block
     */
    public static TestBlock of(String name, long bytes) {
        return new TestBlock(name, Arena.ofAuto().allocate(bytes, 4096), bytes);
    }

    /** @param size the page size @return this */
    public TestBlock pageSize(long size) {
        this.pageSize = size;
        return this;
    }

    /** @return this, marked shared */
    public TestBlock markShared() {
        this.shared = true;
        return this;
    }

    /** @return this, made resizable */
    public TestBlock makeResizable() {
        this.resizable = true;
        return this;
    }

    /** @param address the guest-physical address @return this */
    public TestBlock gpa(long address) {
        this.gpa = OptionalLong.of(address);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public long usedLength() {
        return used;
    }

    @Override
    public long pageSize() {
        return pageSize;
    }

    @Override
    public boolean shared() {
        return shared;
    }

    @Override
    public OptionalLong guestPhysicalAddress() {
        return gpa;
    }

    @Override
    public boolean resizable() {
        return resizable;
    }

    @Override
    public void resize(long newUsedLength) {
        if (!resizable) {
            throw new IllegalStateException("not resizable");
        }
        used = newUsedLength;
    }
}
