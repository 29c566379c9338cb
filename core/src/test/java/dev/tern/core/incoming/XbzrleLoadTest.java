package dev.tern.core.incoming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamPageDecoder;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.Streams;
import dev.tern.core.stream.TestBlock;
import dev.tern.core.xbzrle.XbzrleEncoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The destination decodes XBZRLE pages by itself, capability or not (QEMU's {@code load_xbzrle},
 * spec 7.3), with QEMU's checks and texts.
 */
class XbzrleLoadTest {
    private static final int P = 4096;
    private static final long ADDR = 0x2000;

    /** One XBZRLE record for page {@link #ADDR} of "pc.ram", then EOS. */
    private static byte[] record(int encoding, int length, byte[] data) {
        return Streams.bytes(w -> {
            w.put64(RamRecordDescriptor.word(ADDR, RamRecordDescriptor.FLAG_XBZRLE));
            w.putCountedString("pc.ram");
            w.put8(encoding);
            w.put16(length);
            w.putBytes(data);
            w.put64(RamRecordDescriptor.EOS_WORD);
        });
    }

    private static TestBlock block(Consumer<MemorySegment> contents) {
        TestBlock b = TestBlock.of("pc.ram", 4L * P);
        contents.accept(b.memory());
        return b;
    }

    private static void random(MemorySegment m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < m.byteSize(); i += 8) {
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
    }

    private static StreamReader in(byte[] stream) {
        return Streams.reader(stream, 7);
    }

    @Test
    void aDeltaIsAppliedOntoThePageWithoutAnyDecoderConfigured() throws IOException {
        TestBlock source = block(m -> random(m, 1));
        TestBlock dst = block(m -> random(m, 1));
        MemorySegment page = source.memory().asSlice(ADDR, P);
        MemorySegment old = MemorySegment.ofArray(page.toArray(ValueLayout.JAVA_BYTE));
        for (int k = 3; k < P; k += 97) {
            page.set(ValueLayout.JAVA_BYTE, k, (byte) ~page.get(ValueLayout.JAVA_BYTE, k));
        }
        MemorySegment encoded = MemorySegment.ofArray(new byte[P]);
        int n = XbzrleEncoder.encode(old, page, P, encoded, P);
        byte[] delta = encoded.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);

        RamRecordReader r = new RamRecordReader(in(record(1, n, delta)), List.of(dst), RamLoadOptions.PRECOPY);
        assertEquals(1, r.loadSection());
        assertEquals(-1, dst.memory().mismatch(source.memory()));
    }

    @Test
    void aDeltaOfExactlyOnePageIsAccepted() throws IOException {
        // zrun 0, nzrun 4093 (two bytes), 4093 bytes: 4096 in all, QEMU's largest.
        byte[] delta = new byte[P];
        delta[0] = 0;
        delta[1] = (byte) (4093 & 0x7f | 0x80);
        delta[2] = (byte) (4093 >>> 7);
        for (int i = 3; i < P; i++) {
            delta[i] = (byte) (i * 7 + 1);
        }
        TestBlock dst = block(m -> { });
        RamRecordReader r = new RamRecordReader(in(record(1, P, delta)), List.of(dst), RamLoadOptions.PRECOPY);
        r.loadSection();
        for (int i = 0; i < 4093; i++) {
            assertEquals(delta[3 + i], dst.memory().get(ValueLayout.JAVA_BYTE, ADDR + i), "byte " + i);
        }
        assertEquals(0, dst.memory().get(ValueLayout.JAVA_BYTE, ADDR + 4093), "the tail is left alone");
    }

    @Test
    void aLengthOverAPageIsRefused() {
        RamRecordReader r = new RamRecordReader(in(record(1, P + 1, new byte[P + 1])), List.of(block(m -> { })),
                RamLoadOptions.PRECOPY);
        StreamFormatException e = assertThrows(StreamFormatException.class, r::loadSection);
        assertEquals("Failed to load XBZRLE page - len overflow!", e.getMessage());
    }

    @Test
    void anotherEncodingFlagIsRefused() {
        RamRecordReader r = new RamRecordReader(in(record(2, 3, new byte[] {0, 1, 5})), List.of(block(m -> { })),
                RamLoadOptions.PRECOPY);
        StreamFormatException e = assertThrows(StreamFormatException.class, r::loadSection);
        assertEquals("Failed to load XBZRLE page - wrong compression!", e.getMessage());
    }

    @Test
    void aMalformedDeltaFailsThePageAtItsAddress() {
        // An empty changed run after the first equal run is invalid.
        RamRecordReader r = new RamRecordReader(in(record(1, 3, new byte[] {5, 0, 0})), List.of(block(m -> { })),
                RamLoadOptions.PRECOPY);
        StreamFormatException e = assertThrows(StreamFormatException.class, r::loadSection);
        assertEquals("Failed to decompress XBZRLE page at 2000", e.getMessage());
        assertEquals("Failed to load XBZRLE page - decode error!", e.getCause().getMessage());
    }

    @Test
    void aDeltaRunningPastThePageFails() {
        // Equal run 4095, then 2 changed bytes: one too many.
        byte[] delta = {(byte) 0xff, 0x1f, 2, 9, 9};
        RamRecordReader r = new RamRecordReader(in(record(1, delta.length, delta)), List.of(block(m -> { })),
                RamLoadOptions.PRECOPY);
        StreamFormatException e = assertThrows(StreamFormatException.class, r::loadSection);
        assertEquals("Failed to decompress XBZRLE page at 2000", e.getMessage());
    }

    @Test
    void aConfiguredDecoderStillTakesXbzrlePages() throws IOException {
        int[] seen = new int[2];
        RamPageDecoder decoder = new RamPageDecoder() {
            @Override
            public void loadXbzrle(StreamReader in, int encodedLength, ByteBuffer page) throws IOException {
                in.skip(encodedLength);
                seen[0] = encodedLength;
                seen[1] = page.remaining();
            }

            @Override
            public void loadCompressed(StreamReader in, int compressedLength, ByteBuffer page) {
                throw new AssertionError("no compressed page was sent");
            }
        };
        RamRecordReader r = new RamRecordReader(in(record(1, 3, new byte[] {5, 0, 0})), List.of(block(m -> { })),
                RamLoadOptions.PRECOPY.withDecoder(decoder));
        r.loadSection();
        assertEquals(3, seen[0]);
        assertEquals(P, seen[1]);
    }
}
