package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamReaderTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 1 << 20})
    void getsAreBigEndianWhateverTheReadSizes(int chunk) throws IOException {
        StreamReader in = Streams.reader(Streams.hex("AB 2345 DEADBEEF 0102030405060708 03 72616d"), chunk);
        assertEquals(0xAB, in.get8());
        assertEquals(0x2345, in.get16());
        assertEquals(0xDEADBEEFL, in.get32());
        assertEquals(0x0102030405060708L, in.get64());
        assertEquals("ram", in.getCountedString());
        assertEquals(19, in.bytesConsumed());
        assertThrows(EOFException.class, in::get8);
    }

    @Test
    void endOfStreamInsideAValueIsEof() {
        StreamReader in = Streams.reader(Streams.hex("010203"));
        EOFException e = assertThrows(EOFException.class, in::get32);
        assertEquals("Unexpected end of migration stream from memory", e.getMessage());
    }

    @Test
    void countedStringEndsAtNul() throws IOException {
        StreamReader in = Streams.reader(Streams.hex("05 72 61 6d 00 78 01"));
        assertEquals("ram", in.getCountedString());
        assertEquals(1, in.get8(), "all counted bytes are consumed");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 5000, 1 << 20})
    void readFullyDrainsTheBufferThenReadsStraightIntoTheDestination(int chunk) throws IOException {
        byte[] data = new byte[8 + 3 * 4096 + 1];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13 + 5);
        }
        StreamReader in = Streams.reader(data, chunk);
        assertEquals(ByteBuffer.wrap(data).getLong(), in.get64());
        ByteBuffer ram = ByteBuffer.allocateDirect(5 * 4096);
        for (int p = 0; p < 3; p++) {
            ram.limit((p + 2) * 4096).position((p + 1) * 4096);
            in.readFully(ram);
            assertFalse(ram.hasRemaining());
        }
        ram.clear();
        for (int i = 0; i < 3 * 4096; i++) {
            assertEquals(data[8 + i], ram.get(4096 + i), "byte " + i);
        }
        assertEquals(0, ram.get(0), "nothing outside the views");
        assertEquals(0, ram.get(4 * 4096));
        assertEquals(data[data.length - 1] & 0xFF, in.get8());
        assertEquals(data.length, in.bytesConsumed());
    }

    @Test
    void readFullyPastTheEndIsEof() {
        StreamReader in = Streams.reader(new byte[100], 7);
        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        assertThrows(EOFException.class, () -> in.readFully(dst));
    }

    @Test
    void peekDoesNotConsume() throws IOException {
        StreamReader in = Streams.reader(Streams.hex("05 06 07"), 1);
        assertEquals(5, in.peek8());
        assertEquals(7, in.tryPeek8(2));
        assertEquals(-1, in.tryPeek8(3));
        byte[] two = new byte[2];
        assertTrue(in.tryPeekBytes(1, two, 2));
        assertArrayEquals(Streams.hex("0607"), two);
        assertFalse(in.tryPeekBytes(2, two, 2));
        assertEquals(5, in.get8());
        assertEquals(0x0607, in.get16());
        assertThrows(EOFException.class, in::peek8);
    }

    @Test
    void skipAndGetBufferCountShortReads() throws IOException {
        byte[] data = new byte[70_000];
        data[69_999] = 42;
        StreamReader in = Streams.reader(data, 1000);
        in.skip(69_999);
        assertEquals(42, in.get8());
        StreamReader short4 = Streams.reader(Streams.hex("01020304"));
        byte[] dst = new byte[10];
        assertEquals(4, short4.getBuffer(dst, 0, 10));
        assertThrows(EOFException.class, () -> Streams.reader(new byte[3]).skip(4));
        assertThrows(EOFException.class, () -> Streams.reader(new byte[3]).getBytes(new byte[4]));
    }
}
