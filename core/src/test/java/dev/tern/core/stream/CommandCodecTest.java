package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandCodecTest {
    private static CommandCodec.Command header(StreamReader in) throws IOException {
        assertEquals(StreamHeaderDescriptor.COMMAND, in.get8());
        return CommandCodec.readHeader(in);
    }

    @Test
    void fixedCommandsAreQemusBytesAndFlushed() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        CommandCodec.writeOpenReturnPath(w);
        assertArrayEquals(Streams.hex("08 0001 0000"), ch.written(), "flushed at once");
        CommandCodec.writePing(w, 1);
        CommandCodec.writeEmpty(w, MigCommand.POSTCOPY_RUN);
        CommandCodec.writePackaged(w, 0xFFFF_FFFFL);
        assertArrayEquals(Streams.hex("08 0001 0000  08 0002 0004 00000001  08 0005 0000  08 0007 0004 ffffffff"),
                ch.written());
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.writeEmpty(w, MigCommand.PING));
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.writePackaged(w, 1L << 32));
    }

    @Test
    void everyCommandRoundTrips() throws IOException {
        List<CommandCodec.DiscardRange> ranges = List.of(new CommandCodec.DiscardRange(0x1000, 0x2000),
                new CommandCodec.DiscardRange(0x10000, 0x1000));
        byte[] b = Streams.bytes(w -> {
            CommandCodec.writePing(w, 0xCAFE);
            CommandCodec.writePostcopyAdvise(w, 0x201000, 4096);
            CommandCodec.writePostcopyAdviseBitmapsOnly(w);
            CommandCodec.writeEmpty(w, MigCommand.POSTCOPY_LISTEN);
            CommandCodec.writeRamDiscard(w, "pc.ram", ranges);
            CommandCodec.writePackaged(w, 1234);
            CommandCodec.writeEmpty(w, MigCommand.ENABLE_COLO);
            CommandCodec.writeEmpty(w, MigCommand.POSTCOPY_RESUME);
            CommandCodec.writeRecvBitmap(w, "ram");
        });
        StreamReader in = Streams.reader(b);
        CommandCodec.Command c = header(in);
        assertEquals(new CommandCodec.Command(MigCommand.PING, 4), c);
        assertEquals(0xCAFE, CommandCodec.readPing(in));
        c = header(in);
        assertEquals(Optional.of(new CommandCodec.PostcopyAdvise(0x201000, 4096)),
                CommandCodec.readPostcopyAdvise(in, c.length(), true));
        c = header(in);
        assertEquals(Optional.empty(), CommandCodec.readPostcopyAdvise(in, c.length(), false));
        assertEquals(new CommandCodec.Command(MigCommand.POSTCOPY_LISTEN, 0), header(in));
        c = header(in);
        assertEquals(new CommandCodec.RamDiscard("pc.ram", ranges), CommandCodec.readRamDiscard(in, c.length()));
        header(in);
        assertEquals(1234, CommandCodec.readPackagedLength(in));
        assertEquals(MigCommand.ENABLE_COLO, header(in).command());
        assertEquals(MigCommand.POSTCOPY_RESUME, header(in).command());
        c = header(in);
        assertEquals("ram", CommandCodec.readRecvBitmap(in, c.length()));
        assertEquals(-1, in.tryPeek8(0), "everything consumed");
    }

    @Test
    void headerValidation() {
        assertEquals("MIG_CMD 0x0 unknown (len 0x4)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readHeader(Streams.reader(Streams.hex("0000 0004")))).getMessage());
        assertEquals("MIG_CMD 0xb unknown (len 0x0)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readHeader(Streams.reader(Streams.hex("000b 0000")))).getMessage());
        assertEquals("MIG_CMD 0xffff unknown (len 0xffff)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readHeader(Streams.reader(Streams.hex("ffff ffff")))).getMessage());
        assertEquals("PING received with bad length - expecting 4, got 5", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readHeader(Streams.reader(Streams.hex("0002 0005")))).getMessage());
        assertEquals("OPEN_RETURN_PATH received with bad length - expecting 0, got 1",
                assertThrows(StreamFormatException.class,
                        () -> CommandCodec.readHeader(Streams.reader(Streams.hex("0001 0001")))).getMessage());
        assertEquals("PACKAGED received with bad length - expecting 4, got 0", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readHeader(Streams.reader(Streams.hex("0007 0000")))).getMessage());
    }

    @Test
    void adviseValidation() throws StreamFormatException {
        assertEquals("RAM postcopy is enabled but have 0 byte advise", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readPostcopyAdvise(Streams.reader(new byte[0]), 0, true)).getMessage());
        assertEquals("RAM postcopy is disabled but have 16 byte advise", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readPostcopyAdvise(Streams.reader(new byte[16]), 16, false)).getMessage());
        assertEquals("CMD_POSTCOPY_ADVISE invalid length (8)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readPostcopyAdvise(Streams.reader(new byte[8]), 8, true)).getMessage());
        CommandCodec.checkPostcopyAdvise(new CommandCodec.PostcopyAdvise(0x1000, 4096), 0x1000, 4096);
        assertEquals("Postcopy needs matching RAM page sizes (s=201000 d=1000)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.checkPostcopyAdvise(new CommandCodec.PostcopyAdvise(0x201000, 4096), 0x1000, 4096))
                .getMessage());
        assertEquals("Postcopy needs matching target page sizes (s=8192 d=4096)",
                assertThrows(StreamFormatException.class, () -> CommandCodec.checkPostcopyAdvise(
                        new CommandCodec.PostcopyAdvise(0x1000, 8192), 0x1000, 4096)).getMessage());
    }

    @Test
    void discardValidation() {
        assertEquals("CMD_POSTCOPY_RAM_DISCARD invalid length (19)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRamDiscard(Streams.reader(new byte[19]), 19)).getMessage());
        assertEquals("CMD_POSTCOPY_RAM_DISCARD invalid version (1)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRamDiscard(Streams.reader(Streams.hex("01 01 61 00" + "00".repeat(16))), 20))
                .getMessage());
        assertEquals("CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRamDiscard(Streams.reader(Streams.hex("00 00 00" + "00".repeat(17))), 20))
                .getMessage());
        assertEquals("CMD_POSTCOPY_RAM_DISCARD missing nil (9)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRamDiscard(Streams.reader(Streams.hex("00 01 61 09" + "00".repeat(16))), 20))
                .getMessage());
        assertEquals("CMD_POSTCOPY_RAM_DISCARD invalid length (17)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRamDiscard(Streams.reader(Streams.hex("00 01 61 00" + "00".repeat(17))), 21))
                .getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.writeRamDiscard(
                new StreamWriter(MemoryChannel.sink()), "ram", List.of()));
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.writeRamDiscard(
                new StreamWriter(MemoryChannel.sink()), "ram",
                java.util.Collections.nCopies(13, new CommandCodec.DiscardRange(0, 4096))));
    }

    @Test
    void recvBitmapValidation() {
        assertEquals("loadvm_handle_recv_bitmap: failed to read block name", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRecvBitmap(Streams.reader(Streams.hex("00")), 1)).getMessage());
        assertEquals("loadvm_handle_recv_bitmap: invalid payload length (5)", assertThrows(StreamFormatException.class,
                () -> CommandCodec.readRecvBitmap(Streams.reader(Streams.hex("03 72616d")), 5)).getMessage());
    }

    @Test
    void pingWithoutReturnPathText() {
        assertEquals("CMD_PING (0xcafe) received with no return path",
                StreamFormatException.pingWithoutReturnPath(0xCAFE).getMessage());
    }
}
