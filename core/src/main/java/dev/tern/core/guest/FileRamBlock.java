package dev.tern.core.guest;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;

/**
 * A RAM block that is a shared mapping of a file (the reference guest's file-backed RAM, like
 * QEMU's {@code memory-backend-file,share=on} on /dev/shm): {@link #memory()} is the mapping of
 * the whole file from offset 0, so {@code zero-copy-send} can send its pages with sendfile.
 *
 * @param name the block name
 * @param memory the mapping
 * @param file the mapped file, open for reading and writing
 */
record FileRamBlock(String name, MemorySegment memory, FileChannel file) implements RamBlock {
    FileRamBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(file, "file");
    }

    @Override
    public long usedLength() {
        return memory.byteSize();
    }

    @Override
    public Optional<FileChannel> backingFile() {
        return Optional.of(file);
    }
}
