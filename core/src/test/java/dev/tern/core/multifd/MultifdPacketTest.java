package dev.tern.core.multifd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.TestBlock;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The multifd wire format (spec 8.4): initial packet, packet header, every check with QEMU's text. */
class MultifdPacketTest {
    private static final int TPS = 4096;
    private static final UUID ID = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");

    // ---- initial packet ----

    private static ByteBuffer initial(int magic, int version, UUID uuid, int id) {
        ByteBuffer b = ByteBuffer.allocate(64);
        MultifdPacketDescriptor.writeInitial(b, MultifdPacketDescriptor.uuidBytes(Optional.of(uuid)), id);
        b.putInt(0, magic).putInt(4, version);
        return b.flip();
    }

    @Test
    void initialPacketLayout() {
        ByteBuffer b = ByteBuffer.allocate(64);
        MultifdPacketDescriptor.writeInitial(b, MultifdPacketDescriptor.uuidBytes(Optional.of(ID)), 7);
        assertEquals(64, b.position());
        byte[] expected = new byte[64];
        ByteBuffer.wrap(expected).putInt(0x11223344).putInt(1).putLong(0x0123456789abcdefL)
                .putLong(0x0123456789abcdefL).put((byte) 7);
        assertArrayEquals(expected, b.array());
        InitialPacket p = InitialPacket.decode(b.flip());
        assertEquals(new InitialPacket(0x11223344, 1, ID, 7), p);
    }

    @Test
    void noUuidIsSentAsSixteenZeroBytes() {
        assertArrayEquals(new byte[16], MultifdPacketDescriptor.uuidBytes(Optional.empty()));
    }

    @Test
    void initialPacketChecksInQemuOrder() throws Exception {
        assertEquals(3, InitialPacket.decode(initial(0x11223344, 1, ID, 3)).check(ID, 4));
        assertEquals("multifd: received packet magic 11223345 expected 11223344", assertThrows(
                StreamFormatException.class, () -> InitialPacket.decode(initial(0x11223345, 2, ID, 9)).check(ID, 4))
                .getMessage());
        assertEquals("multifd: received packet version 2 expected 1", assertThrows(StreamFormatException.class,
                () -> InitialPacket.decode(initial(0x11223344, 2, ID, 9)).check(ID, 4)).getMessage());
        assertEquals("multifd: received packet version 4294967295 expected 1", assertThrows(
                StreamFormatException.class, () -> InitialPacket.decode(initial(0x11223344, -1, ID, 0)).check(ID, 4))
                .getMessage());
        UUID other = new UUID(0, 0);
        // %hhd prints the id byte signed.
        assertEquals("multifd: received uuid '01234567-89ab-cdef-0123-456789abcdef' and expected uuid "
                + "'00000000-0000-0000-0000-000000000000' for channel -56", assertThrows(StreamFormatException.class,
                        () -> InitialPacket.decode(initial(0x11223344, 1, ID, 200)).check(other, 255)).getMessage());
        // QEMU's text for an id beyond the channels talks about versions; id == channels is refused too.
        assertEquals("multifd: received channel version 1 expected 1", assertThrows(StreamFormatException.class,
                () -> InitialPacket.decode(initial(0x11223344, 1, ID, 4)).check(ID, 4)).getMessage());
        assertEquals(254, InitialPacket.decode(initial(0x11223344, 1, ID, 254)).check(ID, 255));
    }

    // ---- packet header ----

    private static ByteBuffer header(int flags, int pagesAlloc, int normal, String block, long... offsets) {
        ByteBuffer b = ByteBuffer.allocate(320 + 8 * Math.max(pagesAlloc, 128));
        long[] all = new long[Math.max(pagesAlloc, normal)];
        System.arraycopy(offsets, 0, all, 0, offsets.length);
        MultifdPacketDescriptor.writeHeader(b, flags, pagesAlloc, Math.min(normal, pagesAlloc), normal * TPS, 42,
                block == null ? null : block.getBytes(StandardCharsets.UTF_8), all);
        b.putInt(MultifdPacketDescriptor.NORMAL_PAGES_OFFSET, normal);
        return b.flip();
    }

    @Test
    void headerLayout() throws Exception {
        assertEquals(128, MultifdPacketDescriptor.pagesAlloc(TPS));
        assertEquals(1344, MultifdPacketDescriptor.headerLength(TPS));
        ByteBuffer b = header(0x1, 128, 2, "pc.ram", 0x3000, 0x1000);
        assertEquals(1344, b.remaining());
        assertEquals(0x11223344, b.getInt(0));
        assertEquals(1, b.getInt(4));
        assertEquals(1, b.getInt(8));
        assertEquals(128, b.getInt(12));
        assertEquals(2, b.getInt(16));
        assertEquals(2 * TPS, b.getInt(20));
        assertEquals(42, b.getLong(24));
        for (int i = 32; i < 64; i++) {
            assertEquals(0, b.get(i), "reserved byte " + i);
        }
        assertEquals('p', b.get(64));
        for (int i = 64 + 6; i < 320; i++) {
            assertEquals(0, b.get(i), "idstr padding " + i);
        }
        assertEquals(0x3000, b.getLong(320));
        assertEquals(0x1000, b.getLong(328));
        for (int i = 2; i < 128; i++) {
            assertEquals(0, b.getLong(320 + 8 * i), "unused offset " + i);
        }
        PacketHeader h = new PacketHeader(TPS);
        h.decode(b);
        assertEquals(1344, b.position());
        assertTrue(h.sync());
        assertEquals(2, h.normalPages());
        assertEquals(42, h.packetNum());
        assertEquals("pc.ram", h.blockName());
        assertEquals(0x1000, h.offset(1));
    }

    @Test
    void headerChecksInQemuOrder() {
        PacketHeader h = new PacketHeader(TPS);
        ByteBuffer magic = header(0, 128, 1, "pc.ram", 0);
        magic.putInt(0, 0xdeadbeef).putInt(4, 7);
        assertEquals("multifd: received packet magic deadbeef and expected magic 11223344",
                assertThrows(StreamFormatException.class, () -> h.decode(magic)).getMessage());
        ByteBuffer version = header(0, 128, 1, "pc.ram", 0);
        version.putInt(4, 2);
        assertEquals("multifd: received packet version 2 and expected version 1",
                assertThrows(StreamFormatException.class, () -> h.decode(version)).getMessage());
        assertEquals("multifd: received packet with size 129 and expected a size of 128",
                assertThrows(StreamFormatException.class, () -> h.decode(header(0, 129, 1, "pc.ram", 0)))
                        .getMessage());
        assertEquals("multifd: received packet with 65 pages and expected maximum pages are 64",
                assertThrows(StreamFormatException.class, () -> h.decode(header(0, 64, 65, "pc.ram", 0)))
                        .getMessage());
    }

    @Test
    void smallerPacketsAreAccepted() throws Exception {
        PacketHeader h = new PacketHeader(TPS);
        ByteBuffer b = header(0, 64, 64, "pc.ram", new long[64]);
        h.decode(b);
        assertEquals(320 + 8 * 64, b.position(), "a 64-page header is shorter");
        assertEquals(64, h.normalPages());
    }

    @Test
    void idstrIsCutAtByte255() throws Exception {
        ByteBuffer b = header(0, 128, 1, "x", 0);
        for (int i = 0; i < 256; i++) {
            b.put(64 + i, (byte) 'a');
        }
        PacketHeader h = new PacketHeader(TPS);
        h.decode(b);
        assertEquals("a".repeat(255), h.blockName());
    }

    // ---- the reader's checks against the destination's blocks ----

    private static PacketReader reader(int channel, byte[] stream, List<RamBlock> blocks) {
        return new PacketReader(channel, MemoryChannel.source(stream, 1000), TPS, blocks, Optional.empty());
    }

    private static byte[] bytes(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) {
            n += p.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer p : parts) {
            all.put(p.duplicate());
        }
        return all.array();
    }

    @Test
    void readerChecksBlockOffsetsAndFlags() throws Exception {
        List<RamBlock> blocks = List.of(TestBlock.of("pc.ram", 0x10000));
        assertEquals("multifd: unknown ram block nope", assertThrows(StreamFormatException.class,
                () -> reader(0, bytes(header(0, 128, 1, "nope", 0)), blocks).readPacket()).getMessage());
        assertEquals("multifd: offset too long 65536 (max 10000)", assertThrows(StreamFormatException.class,
                () -> reader(0, bytes(header(0, 128, 2, "pc.ram", 0, 0x10000)), blocks).readPacket()).getMessage());
        assertEquals("multifd: offset too long 18446744073709551615 (max 10000)", assertThrows(
                StreamFormatException.class, () -> reader(0, bytes(header(0, 128, 1, "pc.ram", -1)), blocks)
                        .readPacket()).getMessage());
        assertEquals("multifd 3: flags received 2 flags expected 0", assertThrows(StreamFormatException.class,
                () -> reader(3, bytes(header(0x3, 128, 1, "pc.ram", 0)), blocks).readPacket()).getMessage());
        // The last page of the block is the accepted edge.
        ByteBuffer page = ByteBuffer.allocate(TPS);
        page.put(0, (byte) 9);
        PacketHeader h = reader(0, bytes(header(0, 128, 1, "pc.ram", 0xF000), page), blocks).readPacket();
        assertEquals(1, h.normalPages());
        assertEquals(9, blocks.getFirst().memory().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0xF000));
        // A SYNC packet carries no pages: its block and compression bits are not looked at.
        assertTrue(reader(0, bytes(header(0x3, 128, 0, "nope")), blocks).readPacket().sync());
    }

    @Test
    void endOfStreamBetweenPacketsIsCleanInsideIsNot() throws Exception {
        List<RamBlock> blocks = List.of(TestBlock.of("pc.ram", 0x10000));
        assertNull(reader(0, new byte[0], blocks).readPacket());
        byte[] cut = bytes(header(0, 128, 1, "pc.ram", 0));
        assertThrows(EOFException.class, () -> reader(0, cut, blocks).readPacket());
        byte[] half = java.util.Arrays.copyOf(cut, 100);
        assertThrows(EOFException.class, () -> reader(0, half, blocks).readPacket());
    }

    // ---- writer to reader ----

    @Test
    void writerAndReaderMovePagesExactly() throws Exception {
        Random random = new Random(7);
        TestBlock a = TestBlock.of("a", 4 << 20);
        TestBlock b = TestBlock.of("bee", 1 << 20);
        for (TestBlock t : List.of(a, b)) {
            byte[] fill = new byte[(int) t.usedLength()];
            random.nextBytes(fill);
            t.memory().copyFrom(java.lang.foreign.MemorySegment.ofArray(fill));
        }
        MemoryChannel sink = MemoryChannel.sink();
        PacketWriter w = new PacketWriter(2, sink, TPS, List.of(a, b), Optional.empty(), false);
        PagePacket p = new PagePacket(128);
        long[][] sent = {new long[128], new long[5]};
        for (int i = 0; i < 128; i++) {
            sent[0][i] = (long) random.nextInt(1024) * TPS;
            p.add(0, a, sent[0][i]);
        }
        w.writeData(p, 10);
        p.clear();
        for (int i = 0; i < 5; i++) {
            sent[1][i] = (long) (255 - i) * TPS;
            p.add(1, b, sent[1][i]);
        }
        w.writeData(p, 11);
        w.writeSync(12);
        byte[] stream = sink.written();
        assertEquals(1344 + 128 * TPS + 1344 + 5 * TPS + 1344, stream.length);

        TestBlock a2 = TestBlock.of("a", 4 << 20);
        TestBlock b2 = TestBlock.of("bee", 1 << 20);
        PacketReader r = reader(2, stream, List.of(b2, a2));
        assertEquals(10, r.readPacket().packetNum());
        assertEquals(11, r.readPacket().packetNum());
        PacketHeader sync = r.readPacket();
        assertTrue(sync.sync());
        assertEquals(12, sync.packetNum());
        assertNull(r.readPacket());
        for (long o : sent[0]) {
            assertEquals(-1, java.lang.foreign.MemorySegment.mismatch(a.memory(), o, o + TPS, a2.memory(), o, o + TPS));
        }
        for (long o : sent[1]) {
            assertEquals(-1, java.lang.foreign.MemorySegment.mismatch(b.memory(), o, o + TPS, b2.memory(), o, o + TPS));
        }
    }

    @Test
    void zeroCopyFlushMissesOnlyWhenEverySendWasCopied() throws Exception {
        TestBlock a = TestBlock.of("a", 1 << 20);
        a.memory().fill((byte) 1);
        PacketWriter w = new PacketWriter(0, MemoryChannel.sink(), TPS, List.of(a), Optional.empty(), true);
        assertFalse(w.flushZeroCopy(), "nothing sent: not a miss");
        PagePacket p = new PagePacket(128);
        p.add(0, a, 0);
        w.writeData(p, 0);
        w.writeSync(1);
        assertTrue(w.flushZeroCopy(), "anonymous memory is copied by the kernel");
        w.writeSync(2);
        assertFalse(w.flushZeroCopy(), "only a sync since: not a miss");
        PacketWriter plain = new PacketWriter(0, MemoryChannel.sink(), TPS, List.of(a), Optional.empty(), false);
        plain.writeData(p, 0);
        assertFalse(plain.flushZeroCopy(), "without zero-copy-send nothing is counted");
    }
}
