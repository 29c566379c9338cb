package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class StreamLoaderTest {
    private final List<String> log = new ArrayList<>();

    private SectionTable<StreamLoader.SectionHandler> table() {
        SectionTable<StreamLoader.SectionHandler> t = new SectionTable<>();
        t.register("ram", 0, 4, (in, h, v) -> {
            log.add("ram " + h.type() + " v" + v + " " + in.get32());
        });
        t.register("dev", 0, 1, (in, h, v) -> log.add("dev " + h.type() + " " + in.get8()));
        t.register("bad", 0, 1, (in, h, v) -> {
            throw new IllegalStateException("device exploded");
        });
        return t;
    }

    private StreamLoader loader(byte[] b) {
        return new StreamLoader(Streams.reader(b, 11), table(), (in, c) -> {
            log.add("cmd " + c.command());
            if (c.command() == MigCommand.PING) {
                CommandCodec.readPing(in);
            }
            return c.command() == MigCommand.POSTCOPY_RUN;
        });
    }

    private static byte[] stream(Consumer<StreamWriter> records) {
        return Streams.bytes(w -> {
            StreamHeader.write(w);
            ConfigurationCodec.write(w, Configuration.outgoing("none", Set.of(), Optional.empty()));
            records.accept(w);
        });
    }

    @Test
    void loadsSectionsAndCommandsInOrderUntilEof() throws IOException {
        byte[] b = stream(w -> {
            CommandCodec.writeOpenReturnPath(w);
            CommandCodec.writePing(w, 1);
            SectionFraming.writeStart(w, 5, "ram", 0, 3);
            w.put32(10);
            SectionFraming.writeFooter(w, 5);
            SectionFraming.writePart(w, 5);
            w.put32(11);
            SectionFraming.writeFooter(w, 5);
            SectionFraming.writeFull(w, 9, "dev", 0, 1);
            w.put8(42);
            SectionFraming.writeFooter(w, 9);
            SectionFraming.writeEnd(w, 5);
            w.put32(12);
            SectionFraming.writeFooter(w, 5);
            w.put8(StreamHeaderDescriptor.EOF);
            new VmDescription(4096).write(w);
        });
        StreamLoader l = loader(b);
        assertEquals(List.of(), l.loadPrologue(Configuration.local("none", Set.of(), Optional.empty())));
        assertEquals(StreamLoader.Outcome.EOF, l.loadRecords());
        assertEquals(Optional.empty(), l.discardVmDescription());
        assertEquals(List.of("cmd OPEN_RETURN_PATH", "cmd PING", "ram 1 v3 10", "ram 2 v3 11", "dev 4 42", "ram 3 v3 12"),
                log);
    }

    @Test
    void aCommandMayStopTheLoop() throws IOException {
        byte[] b = stream(w -> {
            CommandCodec.writeEmpty(w, MigCommand.POSTCOPY_RUN);
            w.put8(0x77);
        });
        StreamLoader l = loader(b);
        l.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()));
        assertEquals(StreamLoader.Outcome.QUIT, l.loadRecords());
    }

    private String fails(Consumer<StreamWriter> records) {
        StreamLoader l = loader(stream(records));
        return assertThrows(StreamFormatException.class, () -> {
            l.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()));
            l.loadRecords();
        }).getMessage();
    }

    @Test
    void recordErrors() {
        assertEquals("Unknown savevm section type 5", fails(w -> w.put8(5)));
        assertEquals("Unknown savevm section type 126", fails(w -> SectionFraming.writeFooter(w, 1)));
        assertEquals("Unknown savevm section 5", fails(w -> SectionFraming.writePart(w, 5)));
        assertEquals("Unknown savevm section or instance 'dev' 1. Make sure that your current VM setup matches your"
                + " saved VM setup, including any hotplugged devices", fails(w -> SectionFraming.writeFull(w, 1, "dev", 1,
                        1)));
        assertEquals("savevm: unsupported version 2 for 'dev' v1", fails(w -> SectionFraming.writeFull(w, 1, "dev", 0,
                2)));
        assertEquals("Missing section footer for dev", fails(w -> {
            SectionFraming.writeFull(w, 1, "dev", 0, 1);
            w.put8(1);
            w.put8(StreamHeaderDescriptor.EOF);
        }));
        assertEquals("Mismatched section id in footer for dev - read 0x2 expected 0x1", fails(w -> {
            SectionFraming.writeFull(w, 1, "dev", 0, 1);
            w.put8(1);
            SectionFraming.writeFooter(w, 2);
        }));
        assertEquals("MIG_CMD 0x0 unknown (len 0x0)", fails(w -> {
            w.put8(StreamHeaderDescriptor.COMMAND);
            w.put32(0);
        }));
    }

    @Test
    void handlerRuntimeFailuresBecomeLoadErrors() {
        StreamLoader l = loader(stream(w -> SectionFraming.writeFull(w, 3, "bad", 0, 1)));
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> {
            l.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()));
            l.loadRecords();
        });
        assertEquals("error while loading state for instance 0x0 of device 'bad'", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        StreamLoader part = loader(stream(w -> {
            SectionFraming.writeStart(w, 3, "bad", 0, 1);
        }));
        assertEquals("error while loading state for instance 0x0 of device 'bad'", assertThrows(
                StreamFormatException.class, () -> {
                    part.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()));
                    part.loadRecords();
                }).getMessage());
        assertEquals("error while loading state section id 3(bad)",
                StreamFormatException.loadSectionFailed(3, "bad", null).getMessage());
    }

    @Test
    void prologueErrors() {
        StreamLoader l = loader(Streams.hex("5145564D 00000003 01"));
        assertEquals("Configuration section missing", assertThrows(StreamFormatException.class,
                () -> l.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()))).getMessage());
        StreamLoader m = loader(stream(w -> { }));
        assertEquals("Machine type received is 'none' and local is 'pc'", assertThrows(StreamFormatException.class,
                () -> m.loadPrologue(Configuration.local("pc", Set.of(), Optional.empty()))).getMessage());
    }
}
