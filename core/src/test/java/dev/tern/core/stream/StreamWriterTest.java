package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamWriterTest {
    @Test
    void putsAreBigEndian() {
        byte[] b = Streams.bytes(w -> {
            w.put8(0x1AB);
            w.put16(0x12345);
            w.put32(0xDEADBEEF);
            w.put64(0x0102030405060708L);
            w.putCountedString("ram");
        });
        assertArrayEquals(Streams.hex("AB 2345 DEADBEEF 0102030405060708 03 72616d"), b);
    }

    @Test
    void bytesAreBufferedUntilFlush() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        w.put64(1);
        assertEquals(8, w.bytesQueued());
        assertEquals(0, w.bytesFlushed());
        assertEquals(0, ch.written().length);
        w.flush();
        assertEquals(8, w.bytesFlushed());
        assertEquals(8, ch.written().length);
    }

    @Test
    void fullBufferIsWrittenBeforeTheNextPut() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        for (int i = 0; i < StreamWriter.BUFFER_SIZE / 8; i++) {
            w.put64(i);
        }
        assertEquals(0, ch.writeCalls.size(), "exactly full is not yet written");
        w.put8(7);
        assertEquals(1, ch.writeCalls.size());
        assertEquals(StreamWriter.BUFFER_SIZE, w.bytesFlushed());
        w.flush();
        byte[] out = ch.written();
        assertEquals(StreamWriter.BUFFER_SIZE + 1, out.length);
        assertEquals(7, out[out.length - 1]);
        assertEquals(1, ByteBuffer.wrap(out, 8, 8).getLong());
    }

    @Test
    void putBytesSpansBuffers() {
        byte[] big = new byte[StreamWriter.BUFFER_SIZE * 2 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        byte[] out = Streams.bytes(w -> {
            w.put8(1);
            w.putBytes(big);
        });
        assertEquals(1, out[0]);
        assertArrayEquals(big, Arrays.copyOfRange(out, 1, out.length));
    }

    @Test
    void putPageIsOneGatheringWriteOfHeaderAndTheViewItself() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        ByteBuffer page = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < 4096; i++) {
            page.put(i, (byte) i);
        }
        w.put64(0x1008);
        w.putPage(page);
        assertEquals(1, ch.writeCalls.size());
        ByteBuffer[] call = ch.writeCalls.get(0);
        assertEquals(2, call.length);
        assertSame(page, call[1], "the page view is handed to the channel, not copied");
        assertFalse(page.hasRemaining());
        assertEquals(8 + 4096, w.bytesQueued());
        assertEquals(8 + 4096, w.bytesFlushed());
        byte[] out = ch.written();
        assertEquals(0x1008, ByteBuffer.wrap(out).getLong());
        assertEquals((byte) 4095, out[8 + 4095]);
    }

    @Test
    void largeByteBufferGoesOutWithoutCopy() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        ByteBuffer big = ByteBuffer.allocateDirect(StreamWriter.BUFFER_SIZE + 1);
        w.put8(9);
        w.putBytes(big);
        assertSame(big, ch.writeCalls.get(0)[1]);
        ByteBuffer small = ByteBuffer.wrap(new byte[] {1, 2, 3});
        w.putBytes(small);
        assertFalse(small.hasRemaining());
        w.flush();
        assertEquals(1 + StreamWriter.BUFFER_SIZE + 1 + 3, ch.written().length);
    }

    @Test
    void firstErrorIsLatchedAndLaterPutsAreNoOps() {
        MemoryChannel ch = MemoryChannel.sink().failAfter(10);
        StreamWriter w = new StreamWriter(ch);
        w.putBytes(new byte[StreamWriter.BUFFER_SIZE]);
        w.put8(1);
        assertTrue(w.failed());
        IOException first = w.error().orElseThrow();
        assertEquals("write failed after 10 bytes", first.getMessage());
        int calls = ch.writeCalls.size();
        w.put64(5);
        w.putPage(ByteBuffer.allocateDirect(4096));
        w.flush();
        w.fail(new IOException("later"));
        assertEquals(calls, ch.writeCalls.size(), "nothing is written after the error");
        assertSame(first, w.error().orElseThrow());
        assertEquals(0, w.bytesFlushed());
    }

    @Test
    void failLatchesAnOutsideError() {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        w.fail(new IOException("return path broke"));
        w.put32(1);
        w.flush();
        assertEquals(0, ch.written().length);
        assertEquals("return path broke", w.error().orElseThrow().getMessage());
    }

    @Test
    void countedStringLongerThan255IsRefused() {
        StreamWriter w = new StreamWriter(MemoryChannel.sink());
        w.putCountedString("x".repeat(255));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.putCountedString("x".repeat(256)));
        assertEquals("counted string of 256 bytes exceeds 255", e.getMessage());
    }

    @Test
    void closeFlushesAndClosesShutdownShutsDown() throws IOException {
        MemoryChannel ch = MemoryChannel.sink();
        StreamWriter w = new StreamWriter(ch);
        w.put16(0xABCD);
        w.shutdown();
        assertTrue(ch.shut());
        w.flush();
        assertTrue(w.failed(), "a write after shutdown fails");
        MemoryChannel ch2 = MemoryChannel.sink();
        StreamWriter w2 = new StreamWriter(ch2);
        w2.put16(0xABCD);
        w2.close();
        assertTrue(ch2.closed());
        assertArrayEquals(Streams.hex("ABCD"), ch2.written());
    }

    @Test
    void putsAndPagesDoNotAllocate() {
        StreamWriter w = new StreamWriter(new DiscardChannel());
        ByteBuffer page = ByteBuffer.allocateDirect(4096);
        Runnable round = () -> {
            for (int i = 0; i < 20_000; i++) {
                w.put64(i);
                w.put8(3);
                page.clear();
                w.putPage(page);
            }
        };
        long allocated = AllocationMeter.measure(round);
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 20000 pages");
    }
}
