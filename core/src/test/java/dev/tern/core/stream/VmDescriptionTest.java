package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmDescriptionTest {
    @Test
    void emptyDescriptionAndRecordFraming() {
        VmDescription d = new VmDescription(4096);
        assertEquals("{\"page_size\": 4096, \"devices\": []}", d.toJson());
        byte[] json = d.toJson().getBytes(StandardCharsets.UTF_8);
        byte[] b = Streams.bytes(d::write);
        assertEquals(6, b[0]);
        assertEquals(json.length, java.nio.ByteBuffer.wrap(b, 1, 4).getInt());
        assertArrayEquals(json, java.util.Arrays.copyOfRange(b, 5, b.length));
    }

    @Test
    void stringsAreQuotedAsQemuDoes() {
        VmDescription d = new VmDescription(4096);
        d.add(new VmDescription.Device("a\"b\\c\n\t\u0001é😀", -1, "x", 1,
                List.of(new VmDescription.Field("f", "buffer", 3))));
        assertEquals("{\"page_size\": 4096, \"devices\": [{\"name\": \"a\\\"b\\\\c\\n\\t\\u0001\\u00E9\\uD83D\\uDE00\","
                + " \"instance_id\": 4294967295, \"vmsd_name\": \"x\", \"version\": 1, \"fields\": [{\"name\": \"f\","
                + " \"type\": \"buffer\", \"size\": 3}]}]}", d.toJson());
    }

    @Test
    void discardReadsItAndReportsAnythingElse() throws IOException {
        VmDescription d = new VmDescription(4096);
        d.add(new VmDescription.Device("t", 0, "t", 1, List.of()));
        byte[] b = Streams.bytes(w -> {
            d.write(w);
            w.put8(0x55);
        });
        StreamReader in = Streams.reader(b, 5);
        assertEquals(Optional.empty(), VmDescriptionReader.discard(in));
        assertEquals(0x55, in.get8());
        assertEquals(Optional.of("Expected vmdescription section, but got 8"),
                VmDescriptionReader.discard(Streams.reader(Streams.hex("08"))));
        assertEquals(Optional.of("Expected vmdescription section, but got 0"),
                VmDescriptionReader.discard(Streams.reader(new byte[0])), "an ended stream reads as 0");
        assertEquals(Optional.empty(), VmDescriptionReader.discard(Streams.reader(Streams.hex("06 00001000 7b"))),
                "a short description is ignored");
        assertEquals(d.toJson(), VmDescriptionReader.read(Streams.reader(Streams.bytes(d::write))));
        assertEquals("Expected vmdescription section, but got 0", assertThrows(StreamFormatException.class,
                () -> VmDescriptionReader.read(Streams.reader(Streams.hex("00")))).getMessage());
        assertThrows(StreamFormatException.class,
                () -> VmDescriptionReader.read(Streams.reader(Streams.hex("06 7fffffff"))));
    }
}
