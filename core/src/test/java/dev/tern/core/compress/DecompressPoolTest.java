package dev.tern.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.Streams;
import dev.tern.core.stream.TestBlock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The destination's decompression pool (spec 9.1) behind a {@link RamRecordReader}: standard zlib
 * pages load into the right page, records of one page apply in stream order whatever the
 * workers' timing, and every malformed page fails the load with QEMU's text without touching
 * memory outside its page.
 */
@Timeout(60)
class DecompressPoolTest {
    private static final int PAGE = 4096;
    private static final int PAGES = 16;
    private static final byte GUARD = (byte) 0xEE;
    private static final String NAME = "pc.ram";

    private final TestBlock block = TestBlock.of(NAME, (long) PAGES * PAGE);

    DecompressPoolTest() {
        block.memory().fill(GUARD);
    }

    /** A stream of RAM records of one block, each record naming the block (no CONTINUE needed). */
    private static final class Records {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer word = ByteBuffer.allocate(8);

        private void header(long offset, int flags) {
            bytes.writeBytes(word.clear().putLong(offset | flags).array());
            byte[] name = NAME.getBytes(StandardCharsets.UTF_8);
            bytes.write(name.length);
            bytes.writeBytes(name);
        }

        Records compressed(long offset, byte[] zlib) {
            header(offset, 0x100);
            bytes.writeBytes(ByteBuffer.allocate(4).putInt(zlib.length).array());
            bytes.writeBytes(zlib);
            return this;
        }

        Records compressedLength(long offset, int length) {
            header(offset, 0x100);
            bytes.writeBytes(ByteBuffer.allocate(4).putInt(length).array());
            return this;
        }

        Records page(long offset, byte[] page) {
            header(offset, 0x08);
            bytes.writeBytes(page);
            return this;
        }

        Records zero(long offset) {
            header(offset, 0x02);
            bytes.write(0);
            return this;
        }

        Records xbzrle(long offset, byte[] delta) {
            header(offset, 0x40);
            bytes.write(1);
            bytes.write(delta.length >> 8);
            bytes.write(delta.length);
            bytes.writeBytes(delta);
            return this;
        }

        byte[] eos() {
            bytes.writeBytes(word.clear().putLong(0x10).array());
            return bytes.toByteArray();
        }
    }

    static byte[] zlib(byte[] data, int level) {
        Deflater d = new Deflater(level);
        try {
            d.setInput(data);
            d.finish();
            byte[] out = new byte[2 * data.length + 64];
            int n = d.deflate(out);
            return Arrays.copyOf(out, n);
        } finally {
            d.end();
        }
    }

    private void load(byte[] stream, int threads) throws IOException {
        try (DecompressPool pool = new DecompressPool(threads, PAGE)) {
            RamRecordReader reader = new RamRecordReader(Streams.reader(stream), List.of(block),
                    RamLoadOptions.PRECOPY.withCompress(true).withDecoder(pool));
            reader.loadSection();
        }
    }

    private String loadFails(byte[] stream, int threads) {
        return assertThrows(StreamFormatException.class, () -> load(stream, threads)).getMessage();
    }

    private byte[] page(int i) {
        return block.memory().asSlice((long) i * PAGE, PAGE).toArray(ValueLayout.JAVA_BYTE);
    }

    private void assertGuarded(int except) {
        for (int i = 0; i < PAGES; i++) {
            if (i != except) {
                byte[] p = page(i);
                byte[] guard = new byte[PAGE];
                Arrays.fill(guard, GUARD);
                assertArrayEquals(guard, p, "page " + i + " was written");
            }
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 4})
    void randomRecordsOfFewPagesApplyInStreamOrder(int threads) throws IOException {
        SplittableRandom random = new SplittableRandom(threads);
        byte[] expected = new byte[PAGES * PAGE];
        Arrays.fill(expected, GUARD);
        Records records = new Records();
        for (int r = 0; r < 2000; r++) {
            // Few distinct pages, so a page comes again while its last copy may still be inflating.
            int i = random.nextInt(4);
            byte[] data = new byte[PAGE];
            int kind = random.nextInt(10);
            if (kind < 6) {
                Arrays.fill(data, (byte) r);
                data[random.nextInt(PAGE)] = (byte) random.nextInt();
                records.compressed((long) i * PAGE, zlib(data, random.nextInt(10)));
            } else if (kind < 8) {
                random.nextBytes(data);
                records.page((long) i * PAGE, data);
            } else if (kind < 9) {
                records.zero((long) i * PAGE);
            } else {
                // XBZRLE: the page's current contents with byte 0 changed.
                System.arraycopy(expected, i * PAGE, data, 0, PAGE);
                data[0] = (byte) (data[0] + 1);
                records.xbzrle((long) i * PAGE, new byte[] {0, 1, data[0]});
            }
            System.arraycopy(data, 0, expected, i * PAGE, PAGE);
        }
        load(records.eos(), threads);
        assertArrayEquals(expected, block.memory().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void theLongestValidLengthLoads() throws IOException {
        byte[] data = new byte[PAGE];
        new SplittableRandom(1).nextBytes(data);
        byte[] stored = zlib(data, 0);
        assertEquals(4107, stored.length, "a stored page: 5 bytes of block header, 2 of zlib header, 4 of Adler-32");
        // QEMU stops at the zlib stream's end: what follows it inside the length is ignored.
        byte[] padded = Arrays.copyOf(stored, 4110);
        load(new Records().compressed(3L * PAGE, padded).eos(), 2);
        assertArrayEquals(data, page(3));
        assertGuarded(3);
    }

    @Test
    void lengthsBeyondCompressBoundAreRejected() {
        assertEquals("Invalid compressed data length: 4111", loadFails(new Records().compressedLength(0, 4111).eos(), 1));
        assertEquals("Invalid compressed data length: -1", loadFails(new Records().compressedLength(0, -1).eos(), 1));
        assertEquals("Invalid compressed data length: -2147483648",
                loadFails(new Records().compressedLength(0, Integer.MIN_VALUE).eos(), 1));
        assertGuarded(-1);
    }

    @Test
    void aBadChecksumFails() {
        byte[] z = zlib(new byte[PAGE], 6);
        z[z.length - 1] ^= 1;
        assertEquals("decompress data failed", loadFails(new Records().compressed(5L * PAGE, z).eos(), 2));
        assertGuarded(5);
    }

    @Test
    void aTruncatedStreamFails() {
        byte[] data = new byte[PAGE];
        new SplittableRandom(2).nextBytes(data);
        byte[] z = zlib(data, 1);
        assertEquals("decompress data failed",
                loadFails(new Records().compressed(5L * PAGE, Arrays.copyOf(z, z.length - 5)).eos(), 2));
        assertGuarded(5);
    }

    @Test
    void lessThanAPageFails() {
        assertEquals("decompress data failed",
                loadFails(new Records().compressed(5L * PAGE, zlib(new byte[PAGE - 1], 1)).eos(), 2));
        assertEquals("decompress data failed",
                loadFails(new Records().compressed(5L * PAGE, zlib(new byte[0], 1)).eos(), 2));
    }

    @Test
    void moreThanAPageFailsAndNeverWritesBeyondThePage() {
        byte[] twoPages = new byte[2 * PAGE];
        Arrays.fill(twoPages, (byte) 0x11);
        assertEquals("decompress data failed",
                loadFails(new Records().compressed(5L * PAGE, zlib(twoPages, 1)).eos(), 3));
        assertGuarded(5);
        byte[] one = page(5);
        byte[] expected = new byte[PAGE];
        Arrays.fill(expected, (byte) 0x11);
        assertArrayEquals(expected, one, "the page itself got the first page of output");
    }

    @Test
    void garbageFails() {
        byte[] junk = new byte[300];
        new SplittableRandom(3).nextBytes(junk);
        assertEquals("decompress data failed", loadFails(new Records().compressed(7L * PAGE, junk).eos(), 1));
        assertGuarded(7);
    }

    @Test
    void aRawDeflateStreamWithoutZlibHeaderFails() {
        Deflater d = new Deflater(1, true);
        byte[] out = new byte[PAGE];
        d.setInput(new byte[PAGE]);
        d.finish();
        int n = d.deflate(out);
        d.end();
        assertEquals("decompress data failed",
                loadFails(new Records().compressed(7L * PAGE, Arrays.copyOf(out, n)).eos(), 1));
    }

    @Test
    void aFailureSurfacesAtTheNextCompressedPageAtTheLatest() {
        byte[] good = zlib(new byte[PAGE], 1);
        byte[] bad = good.clone();
        bad[bad.length - 2] ^= 0x40;
        Records records = new Records().compressed(0, bad);
        for (int i = 1; i < PAGES; i++) {
            records.compressed((long) i * PAGE, good);
        }
        // One worker: the bad page's failure is seen when the worker is needed again.
        assertEquals("decompress data failed", loadFails(records.eos(), 1));
    }

    @Test
    void aMalformedXbzrleDeltaFailsWithTheReadersText() {
        // A zero run that ends beyond the page.
        byte[] delta = {(byte) 0x81, 0x40, 1, 9};
        assertEquals("Failed to decompress XBZRLE page at 2000",
                loadFails(new Records().xbzrle(2L * PAGE, delta).eos(), 2));
    }

    @Test
    void closeEndsEveryThread() throws IOException {
        load(new Records().compressed(0, zlib(new byte[PAGE], 1)).eos(), 7);
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-decompress-")).count());
    }
}
