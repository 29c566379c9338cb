package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.guest.ReferenceGuest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RAM digest the demo compares across processes. */
class RamDigestTest {
    private static ReferenceGuest guest(String... blocks) {
        ReferenceGuest.Builder b = ReferenceGuest.builder();
        for (String name : blocks) {
            b.ramBlock(name, 64 << 10);
        }
        return b.build();
    }

    private static void fill(ReferenceGuest guest, long seed) {
        Random random = new Random(seed);
        for (RamBlock block : guest.ramBlocks()) {
            for (long i = 0; i < block.usedLength(); i += 8) {
                block.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
        }
    }

    /** The obvious way: every block's name length, name, length and bytes copied out, hashed at once. */
    private static String oracle(List<RamBlock> blocks) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        for (RamBlock block : blocks) {
            byte[] name = block.name().getBytes(StandardCharsets.UTF_8);
            data.writeInt(name.length);
            data.write(name);
            data.writeLong(block.usedLength());
            data.write(block.memory().asSlice(0, block.usedLength()).toArray(ValueLayout.JAVA_BYTE));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    }

    @Test
    void matchesTheOracle() throws Exception {
        try (ReferenceGuest g = guest("pc.ram", "vga.vram")) {
            fill(g, 1);
            RamDigest digest = RamDigest.of(g.ramBlocks());
            assertEquals(oracle(g.ramBlocks()), digest.hex());
            assertEquals(128 << 10, digest.bytes());
            assertEquals(64, digest.hex().length());
        }
    }

    @Test
    void equalRamEqualDigestAndOneByteChangesIt() {
        try (ReferenceGuest a = guest("pc.ram"); ReferenceGuest b = guest("pc.ram")) {
            fill(a, 7);
            fill(b, 7);
            assertEquals(RamDigest.of(a.ramBlocks()), RamDigest.of(b.ramBlocks()));
            MemorySegment last = b.ramBlocks().getFirst().memory();
            last.set(ValueLayout.JAVA_BYTE, last.byteSize() - 1, (byte) (last.get(ValueLayout.JAVA_BYTE, last.byteSize() - 1) ^ 1));
            assertNotEquals(RamDigest.of(a.ramBlocks()).hex(), RamDigest.of(b.ramBlocks()).hex());
        }
    }

    @Test
    void blockNamesCount() {
        try (ReferenceGuest a = guest("pc.ram"); ReferenceGuest b = guest("ram")) {
            assertNotEquals(RamDigest.of(a.ramBlocks()).hex(), RamDigest.of(b.ramBlocks()).hex(),
                    "zero RAM in differently named blocks is not the same VM");
        }
    }
}
