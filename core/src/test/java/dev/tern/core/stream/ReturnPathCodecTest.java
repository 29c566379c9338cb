package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReturnPathCodecTest {
    private static String fails(String hex) {
        return assertThrows(StreamFormatException.class, () -> ReturnPathCodec.read(Streams.reader(Streams.hex(hex))))
                .getMessage();
    }

    @Test
    void messagesAreQemusBytesAndFlushed() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        ReturnPathCodec.writePong(w, 1);
        assertArrayEquals(Streams.hex("0002 0004 00000001"), ch.written());
        ReturnPathCodec.writeShut(w, 0);
        ReturnPathCodec.writeReqPagesId(w, "ram", 0x2000, 4096);
        ReturnPathCodec.writeReqPages(w, 0x3000, 4096);
        assertArrayEquals(Streams.hex("0002 0004 00000001  0001 0004 00000000"
                + "  0003 0010 0000000000002000 00001000 03 72616d  0004 000c 0000000000003000 00001000"), ch.written());
    }

    @Test
    void everyMessageRoundTrips() throws IOException {
        byte[] b = Streams.bytes(w -> {
            ReturnPathCodec.writeShut(w, 1);
            ReturnPathCodec.writePong(w, -7);
            ReturnPathCodec.writeReqPagesId(w, "pc.ram", 1L << 40, 2 << 20);
            ReturnPathCodec.writeReqPages(w, 4096, 4096);
            ReturnPathCodec.writeRecvBitmap(w, "ram");
            ReturnPathCodec.writeResumeAck(w, 1);
        });
        StreamReader in = Streams.reader(b, 3);
        assertEquals(new ReturnPathMessage.Shut(1), ReturnPathCodec.read(in));
        assertEquals(new ReturnPathMessage.Pong(-7), ReturnPathCodec.read(in));
        assertEquals(new ReturnPathMessage.ReqPagesId(1L << 40, 2 << 20, "pc.ram"), ReturnPathCodec.read(in));
        assertEquals(new ReturnPathMessage.ReqPages(4096, 4096), ReturnPathCodec.read(in));
        assertEquals(new ReturnPathMessage.RecvBitmap("ram"), ReturnPathCodec.read(in));
        assertEquals(new ReturnPathMessage.ResumeAck(1), ReturnPathCodec.read(in));
        assertThrows(EOFException.class, () -> ReturnPathCodec.read(in));
    }

    @Test
    void invalidTypes() {
        assertEquals("RP: Received invalid message 0x0000 length 0x0004", fails("0000 0004 00000000"));
        assertEquals("RP: Received invalid message 0x0007 length 0x0000", fails("0007 0000"));
        assertEquals("RP: Received invalid message 0xffff length 0xffff", fails("ffff ffff"));
    }

    @Test
    void lengthRules() {
        assertEquals("RP: Received 'SHUT' message (0x0001) withincorrect length 3 expecting 4", fails("0001 0003 000000"));
        assertEquals("RP: Received 'REQ_PAGES' message (0x0004) withincorrect length 13 expecting 12",
                fails("0004 000d " + "00".repeat(13)));
        assertEquals("RP: Received 'REQ_PAGES_ID' message (0x0003) withincorrect length 513 expecting"
                + " 18446744073709551615", fails("0003 0201"));
        assertEquals("RP: Received 'RECV_BITMAP' message (0x0005) withincorrect length 65535 expecting"
                + " 18446744073709551615", fails("0005 ffff"));
        assertEquals("RP: Req_Page_id with length 12 expecting 13", fails("0003 000c " + "00".repeat(12)));
        assertEquals("RP: Req_Page_id with length 15 expecting 16", fails("0003 000f " + "00".repeat(12) + "03 7261"));
        assertEquals("RP: Req_Page_id with length 17 expecting 16", fails("0003 0011 " + "00".repeat(12)
                + "03 72616d 00"));
        assertEquals("source_return_path_thread: missing block name", fails("0005 0000"));
        assertEquals("RP: Failed reading data for message 0x0003 read 5 expected 16", fails("0003 0010 0000000000"));
    }

    @Test
    void aNameLongerThanTheRecvBitmapPayloadIsCut() throws IOException {
        assertEquals(new ReturnPathMessage.RecvBitmap("ra"),
                ReturnPathCodec.read(Streams.reader(Streams.hex("0005 0003 09 7261"))));
    }

    @Test
    void semanticTexts() {
        assertEquals("RP: Sibling indicated error 1", StreamFormatException.returnPathSiblingError(1).getMessage());
        assertEquals("migrate_handle_rp_resume_ack: illegal resume_ack value 4294967295",
                StreamFormatException.returnPathIllegalResumeAck(-1).getMessage());
    }
}
