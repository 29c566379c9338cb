package dev.tern.api.guest;

import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One region of guest RAM (QEMU's RAMBlock): the engine reads pages from and writes pages into
 * {@link #memory()} directly, without copying through the Java heap.
 */
public interface RamBlock {
    /**
     * The block's id string, sent on the wire and matched by name on the destination.
     *
     * @return for example {@code "pc.ram"}; at most 255 bytes of UTF-8
     */
    String name();

    /**
     * The block's host memory, at least {@link #usedLength()} bytes long. The segment must be
     * accessible from any thread for as long as the guest exists.
     *
     * @return the memory
     */
    MemorySegment memory();

    /**
     * The bytes of the block in use, migrated and reported in {@code total}.
     *
     * @return the used length, a multiple of the target page size
     */
    long usedLength();

    /**
     * The host page size backing the block: 4096, or a huge-page size.
     *
     * @return the page size in bytes
     */
    default long pageSize() {
        return 4096;
    }

    /**
     * Whether the block's memory is shared with another process ({@code share=on}); such blocks
     * are skipped when {@code x-ignore-shared} is on.
     *
     * @return true if shared
     */
    default boolean shared() {
        return false;
    }

    /**
     * The guest-physical address where the block is mapped, sent with {@code x-ignore-shared}.
     *
     * @return the address, if the block is mapped into guest-physical space
     */
    default OptionalLong guestPhysicalAddress() {
        return OptionalLong.empty();
    }

    /**
     * Whether an incoming stream may change {@link #usedLength()} (QEMU's resizable blocks).
     *
     * @return true if {@link #resize} is supported
     */
    default boolean resizable() {
        return false;
    }

    /**
     * Changes the used length to match the source; called only when {@link #resizable()}.
     *
     * @param newUsedLength the source's used length, at most {@code memory().byteSize()}
     * @throws IllegalStateException if the block cannot be resized
     */
    default void resize(long newUsedLength) {
        throw new IllegalStateException("RAM block " + name() + " is not resizable");
    }

    /**
     * The file whose bytes are this block's memory, when the block is a shared mapping of one
     * (a memfd, or a file on tmpfs or hugetlbfs, as QEMU's {@code memory-backend-file} /
     * {@code memory-backend-memfd} with {@code share=on}): the byte at
     * {@link #backingFileOffset()} + {@code n} of the file is byte {@code n} of {@link #memory()}.
     * With {@code zero-copy-send}, multifd channels send this block's pages from the file with
     * {@code sendfile}, so the kernel reads them without any copy through user space; blocks
     * without a backing file are sent from {@link #memory()} (the kernel copies them, which
     * counts in {@code dirty-sync-missed-zero-copy}). The channel stays owned by the block.
     *
     * @return the backing file, open for reading, or empty (the default) for anonymous memory
     */
    default Optional<FileChannel> backingFile() {
        return Optional.empty();
    }

    /**
     * Where {@link #memory()} starts in the {@link #backingFile()}.
     *
     * @return the file offset in bytes; 0 by default
     */
    default long backingFileOffset() {
        return 0;
    }

    /**
     * A fixed-size block over a segment the caller owns.
     *
     * @param name the block name
     * @param memory the memory; its size is the used length
     * @return the block
     */
    static RamBlock of(String name, MemorySegment memory) {
        return new SegmentRamBlock(name, memory, memory.byteSize(), 4096, false);
    }
}
