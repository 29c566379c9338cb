package dev.tern.qmp.cli;

import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The smallest guest the launcher can host: QEMU's {@code -M none} machine, which has RAM and
 * nothing else. One RAM block named {@code ram} (QEMU's name for that machine's default RAM
 * backend) of the requested size, zero-filled, off-heap in a shared arena so the engine's
 * threads can read it. Its memory never changes, so a migration of it sends zero pages only.
 *
 * <p>The launcher hosts a {@link dev.tern.core.guest.ReferenceGuest} (which has a dirty log, vCPUs
 * and a workload); this class stays for the QMP package's tests that need a guest with no
 * threads at all.
 */
public final class RamGuest implements Guest, AutoCloseable {
    /** The launcher's default RAM: 64 MiB, as the QEMU 7.2 {@code -M none -m 64} peer in the spec. */
    public static final long DEFAULT_RAM_BYTES = 64L << 20;
    /** Guest pages are 4 KiB, so RAM must come in whole pages. */
    public static final long PAGE_SIZE = 4096;

    private final Arena arena;
    private final RamBlock ram;

    /**
     * Allocates the guest's RAM.
     *
     * @param ramBytes the RAM size, a positive multiple of {@value #PAGE_SIZE}
     * @throws IllegalArgumentException if the size is not a positive multiple of the page size
     */
    public RamGuest(long ramBytes) {
        if (ramBytes <= 0 || ramBytes % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of " + PAGE_SIZE + " bytes, not "
                    + ramBytes);
        }
        this.arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(ramBytes, PAGE_SIZE);
        this.ram = RamBlock.of("ram", memory);
    }

    /**
     * QEMU's machine type of a guest with RAM and no devices.
     *
     * @return {@code none}
     */
    @Override
    public String machineType() {
        return "none";
    }

    /**
     * The one RAM block.
     *
     * @return a list holding the block {@code ram}
     */
    @Override
    public List<RamBlock> ramBlocks() {
        return List.of(ram);
    }

    /**
     * The RAM size.
     *
     * @return bytes of RAM
     */
    public long ramBytes() {
        return ram.usedLength();
    }

    /** Frees the guest's RAM; the engine must be closed first. */
    @Override
    public void close() {
        arena.close();
    }
}
