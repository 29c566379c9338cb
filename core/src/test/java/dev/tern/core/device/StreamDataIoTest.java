package dev.tern.core.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.Streams;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import org.junit.jupiter.api.Test;

class StreamDataIoTest {
    /** Writes the same calls to any DataOutput. */
    private static void writeAll(java.io.DataOutput out) throws IOException {
        out.write(0x1FF);
        out.write(new byte[] {1, 2, 3});
        out.write(new byte[] {9, 8, 7, 6}, 1, 2);
        out.writeBoolean(true);
        out.writeByte(-2);
        out.writeShort(0xBEEF);
        out.writeChar('Ω');
        out.writeInt(-5);
        out.writeLong(Long.MIN_VALUE + 3);
        out.writeFloat(1.5f);
        out.writeDouble(-0.25);
        out.writeBytes("AB\u0143");
        out.writeChars("hé");
        out.writeUTF("zero\u0000 é ☃ 😀");
        out.writeBytes("line one\r\nline two\rthree\nlast");
    }

    @Test
    void outputIsBitForBitDataOutputStream() throws IOException {
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        writeAll(new DataOutputStream(reference));
        byte[] ours = Streams.bytes(w -> {
            try {
                writeAll(new StreamDataOutput(w));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertArrayEquals(reference.toByteArray(), ours);
    }

    @Test
    void inputReadsItBack() throws IOException {
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        writeAll(new DataOutputStream(reference));
        StreamDataInput in = new StreamDataInput(Streams.reader(reference.toByteArray(), 3));
        assertEquals(0xFF, in.readUnsignedByte());
        byte[] three = new byte[3];
        in.readFully(three);
        assertArrayEquals(new byte[] {1, 2, 3}, three);
        byte[] two = new byte[4];
        in.readFully(two, 1, 2);
        assertArrayEquals(new byte[] {0, 8, 7, 0}, two);
        assertEquals(true, in.readBoolean());
        assertEquals(-2, in.readByte());
        assertEquals((short) 0xBEEF, in.readShort());
        assertEquals('Ω', in.readChar());
        assertEquals(-5, in.readInt());
        assertEquals(Long.MIN_VALUE + 3, in.readLong());
        assertEquals(1.5f, in.readFloat());
        assertEquals(-0.25, in.readDouble());
        assertEquals(3, in.skipBytes(3));
        assertEquals(0, in.skipBytes(-1));
        assertEquals('h', in.readChar());
        assertEquals(0xE9, in.readUnsignedShort());
        assertEquals("zero\u0000 é ☃ 😀", in.readUTF());
        assertEquals("line one", in.readLine());
        assertEquals("line two", in.readLine());
        assertEquals("three", in.readLine());
        assertEquals("last", in.readLine());
        assertNull(in.readLine());
        assertThrows(EOFException.class, in::readInt);
        assertThrows(EOFException.class, () -> in.skipBytes(1));
    }

    @Test
    void tooLongUtfIsRefused() {
        StreamDataOutput out = new StreamDataOutput(new StreamWriter(MemoryChannel.sink()));
        assertThrows(UTFDataFormatException.class, () -> out.writeUTF("é".repeat(40_000)));
    }

    @Test
    void aFailedStreamStopsTheDevice() {
        StreamWriter w = new StreamWriter(MemoryChannel.sink());
        IOException broken = new IOException("broken pipe");
        w.fail(broken);
        StreamDataOutput out = new StreamDataOutput(w);
        assertSame(broken, assertThrows(IOException.class, () -> out.writeLong(1)));
        assertSame(broken, assertThrows(IOException.class, () -> out.writeUTF("x")));
    }

    @Test
    void readerIsReachable() {
        StreamReader r = Streams.reader(new byte[0]);
        assertThrows(NullPointerException.class, () -> new StreamDataInput(null));
        new StreamDataInput(r);
    }
}
