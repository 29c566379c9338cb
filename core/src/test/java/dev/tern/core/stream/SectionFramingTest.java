package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SectionFramingTest {
    @Test
    void headerBytesMatchQemu() {
        // From a QEMU 7.2 "-M none" stream: FULL section 4 "globalstate" instance 0 version 1, START 2 "ram" v4.
        assertArrayEquals(Streams.hex("04 00000004 0b 676c6f62616c7374617465 00000000 00000001"),
                Streams.bytes(w -> SectionFraming.writeFull(w, 4, "globalstate", 0, 1)));
        assertArrayEquals(Streams.hex("01 00000002 03 72616d 00000000 00000004"),
                Streams.bytes(w -> SectionFraming.writeStart(w, 2, "ram", 0, 4)));
        assertArrayEquals(Streams.hex("02 00000002"), Streams.bytes(w -> SectionFraming.writePart(w, 2)));
        assertArrayEquals(Streams.hex("03 00000002"), Streams.bytes(w -> SectionFraming.writeEnd(w, 2)));
        assertArrayEquals(Streams.hex("7e 00000002"), Streams.bytes(w -> SectionFraming.writeFooter(w, 2)));
        assertEquals(25, SectionDescriptor.startFullHeaderLength("globalstate"));
        assertEquals(13, SectionDescriptor.versionIdOffset(3));
        assertEquals(13, SectionDescriptor.instanceIdOffset(7));
    }

    @Test
    void headersRoundTrip() throws IOException {
        byte[] b = Streams.bytes(w -> {
            SectionFraming.writeFull(w, -2, "timer", -1, 7);
            SectionFraming.writeEnd(w, 9);
        });
        StreamReader in = Streams.reader(b);
        assertEquals(new SectionHeader(4, -2, "timer", -1, 7), SectionFraming.readHeader(in, in.get8()));
        assertEquals(new SectionHeader(3, 9, "", 0, 0), SectionFraming.readHeader(in, in.get8()));
    }

    @Test
    void emptyIdstrIsUnreadable() {
        StreamReader in = Streams.reader(Streams.hex("FFFFFFFE 00 00000000 00000001"));
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> SectionFraming.readHeader(in, StreamHeaderDescriptor.SECTION_FULL));
        assertEquals("Unable to read ID string for section 4294967294", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SectionFraming.writeFull(new StreamWriter(MemoryChannel.sink()), 1, "", 0, 1));
    }

    @Test
    void footerChecks() throws IOException {
        SectionFraming.checkFooter(Streams.reader(Streams.hex("7e 00000002")), "ram", 2);
        StreamFormatException missing = assertThrows(StreamFormatException.class,
                () -> SectionFraming.checkFooter(Streams.reader(Streams.hex("7f 00000002")), "ram", 2));
        assertEquals("Missing section footer for ram", missing.getMessage());
        StreamFormatException mismatch = assertThrows(StreamFormatException.class,
                () -> SectionFraming.checkFooter(Streams.reader(Streams.hex("7e FFFFFFFF")), "timer", 0x1a));
        assertEquals("Mismatched section id in footer for timer - read 0xffffffff expected 0x1a", mismatch.getMessage());
    }

    @Test
    void headerChecks() throws IOException {
        StreamHeader.read(Streams.reader(Streams.bytes(StreamHeader::write)));
        assertArrayEquals(Streams.hex("5145564D 00000003"), Streams.bytes(StreamHeader::write));
        assertEquals("Not a migration stream", assertThrows(StreamFormatException.class,
                () -> StreamHeader.read(Streams.reader(Streams.hex("5145564E 00000003")))).getMessage());
        assertEquals("SaveVM v2 format is obsolete and don't work anymore", assertThrows(StreamFormatException.class,
                () -> StreamHeader.read(Streams.reader(Streams.hex("5145564D 00000002")))).getMessage());
        assertEquals("Unsupported migration stream version", assertThrows(StreamFormatException.class,
                () -> StreamHeader.read(Streams.reader(Streams.hex("5145564D 00000004")))).getMessage());
    }

    @Test
    void tableBindsStartAndFullAndResolvesPartAndEnd() throws StreamFormatException {
        SectionTable<String> table = new SectionTable<>();
        table.register("ram", 0, 4, "RAM");
        table.register("timer", 0, 2, "TIMER");
        table.register("timer", 1, 2, "TIMER1");
        SectionTable.Bound<String> ram = table.resolve(new SectionHeader(1, 7, "ram", 0, 4));
        assertEquals(new SectionTable.Bound<>("RAM", "ram", 0, 7, 4), ram);
        SectionTable.Bound<String> part = table.resolve(new SectionHeader(2, 7, "", 0, 0));
        assertSame("RAM", part.handler());
        assertEquals(4, part.versionId(), "PART carries the version of its START");
        assertEquals("TIMER1", table.resolve(new SectionHeader(4, 3, "timer", 1, 1)).handler());
        assertEquals(1, table.resolve(new SectionHeader(4, 3, "timer", 1, 1)).versionId());
        assertThrows(IllegalArgumentException.class, () -> table.register("ram", 0, 4, "again"));
    }

    @Test
    void tableErrors() throws StreamFormatException {
        SectionTable<String> table = new SectionTable<>();
        table.register("ram", 0, 4, "RAM");
        assertEquals("Unknown savevm section or instance 'ram' 4294967295. Make sure that your current VM setup matches"
                + " your saved VM setup, including any hotplugged devices", assertThrows(StreamFormatException.class,
                        () -> table.resolve(new SectionHeader(1, 2, "ram", -1, 4))).getMessage());
        assertEquals("Unknown savevm section or instance 'pc.ram' 0. Make sure that your current VM setup matches"
                + " your saved VM setup, including any hotplugged devices", assertThrows(StreamFormatException.class,
                        () -> table.resolve(new SectionHeader(4, 2, "pc.ram", 0, 4))).getMessage());
        assertEquals("savevm: unsupported version 5 for 'ram' v4", assertThrows(StreamFormatException.class,
                () -> table.resolve(new SectionHeader(1, 2, "ram", 0, 5))).getMessage());
        assertEquals("savevm: unsupported version -1 for 'ram' v4", assertThrows(StreamFormatException.class,
                () -> table.resolve(new SectionHeader(1, 2, "ram", 0, -1))).getMessage());
        assertEquals("Unknown savevm section 0", assertThrows(StreamFormatException.class,
                () -> table.resolve(new SectionHeader(2, 0, "", 0, 0))).getMessage(), "PART before any START");
        table.resolve(new SectionHeader(1, 2, "ram", 0, 3));
        assertEquals("Unknown savevm section -5", assertThrows(StreamFormatException.class,
                () -> table.resolve(new SectionHeader(3, -5, "", 0, 0))).getMessage());
        assertEquals(3, table.resolve(new SectionHeader(3, 2, "", 0, 0)).versionId(), "older version accepted");
    }
}
