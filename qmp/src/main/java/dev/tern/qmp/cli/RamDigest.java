package dev.tern.qmp.cli;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 digest of a guest's RAM, so that two processes can show that their guests hold the
 * same memory without sending it to each other: per block in order, its name, its used length
 * and its bytes. Read straight from the blocks' memory through ByteBuffer views (no copy of
 * guest RAM into the Java heap). The guest must not be writing while it is computed.
 *
 * @param hex the digest, 64 lowercase hex digits
 * @param bytes the RAM it covers
 */
record RamDigest(String hex, long bytes) {
    /** A ByteBuffer is int-indexed: views of at most this many bytes. */
    private static final long WINDOW = 1L << 30;

    /**
     * Digests the blocks.
     *
     * @param blocks the guest's RAM blocks, in the guest's order
     * @return the digest
     */
    static RamDigest of(List<RamBlock> blocks) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
        long total = 0;
        for (RamBlock block : blocks) {
            byte[] name = block.name().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4 + name.length + 8).putInt(name.length).put(name).putLong(block.usedLength())
                    .flip());
            MemorySegment memory = block.memory();
            for (long offset = 0; offset < block.usedLength(); offset += WINDOW) {
                sha.update(memory.asSlice(offset, Math.min(WINDOW, block.usedLength() - offset)).asByteBuffer());
            }
            total += block.usedLength();
        }
        return new RamDigest(HexFormat.of().formatHex(sha.digest()), total);
    }
}
