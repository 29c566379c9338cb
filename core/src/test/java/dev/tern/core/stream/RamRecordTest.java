package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RamRecordTest {
    private static final int P = 4096;

    private static void pattern(MemorySegment m, int seed) {
        for (long i = 0; i < m.byteSize(); i += 8) {
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, i, (i * 0x9E3779B97F4A7C15L) ^ seed);
        }
    }

    private static byte[] records(Consumer<RamRecordWriter> body) {
        return Streams.bytes(w -> body.accept(new RamRecordWriter(w)));
    }

    private static StreamFormatException loadFails(byte[] stream, List<? extends RamBlock> blocks, RamLoadOptions o) {
        RamRecordReader r = new RamRecordReader(Streams.reader(stream), blocks, o);
        return assertThrows(StreamFormatException.class, r::loadSection);
    }

    @Test
    void zeroRecordsAreQemusBytes() {
        TestBlock ram = TestBlock.of("ram", 4 * P);
        // From a QEMU 7.2 stream: first zero page names the block, the next continues.
        byte[] b = records(w -> {
            w.writeZeroPage(ram, 0);
            w.writeZeroPage(ram, P);
            w.writeEos();
        });
        assertArrayEquals(Streams.hex("0000000000000002 03 72616d 00 0000000000001022 00 0000000000000010"), b);
    }

    @Test
    void pagesRoundTripIntoAnotherSegment() throws IOException {
        TestBlock a = TestBlock.of("pc.ram", 64 * P);
        TestBlock b = TestBlock.of("vga.vram", 8 * P);
        pattern(a.memory(), 1);
        pattern(b.memory(), 2);
        BlockWindows wa = new BlockWindows(a.memory(), a.usedLength());
        BlockWindows wb = new BlockWindows(b.memory(), b.usedLength());
        byte[] stream = records(w -> {
            w.writeBlockList(List.of(a, b), false, P, false);
            w.writeEos();
            for (int p = 0; p < 64; p++) {
                w.writePage(a, p * (long) P, wa.page(p * (long) P, P));
                if (p < 8) {
                    w.writePage(b, p * (long) P, wb.page(p * (long) P, P));
                }
            }
            w.writeEos();
        });
        TestBlock da = TestBlock.of("pc.ram", 64 * P);
        TestBlock db = TestBlock.of("vga.vram", 8 * P);
        RamRecordReader r = new RamRecordReader(Streams.reader(stream, 1000), List.of(da, db), RamLoadOptions.PRECOPY);
        assertEquals(0, r.loadSection(), "setup section: block list only");
        assertEquals(72, r.loadSection());
        assertEquals(-1, da.memory().mismatch(a.memory()));
        assertEquals(-1, db.memory().mismatch(b.memory()));
        assertEquals(0, r.lastBlockIndex());
        assertEquals(63L * P, r.lastOffset());
    }

    @Test
    void continueIsPerWriterAndResetable() {
        TestBlock a = TestBlock.of("a", 4 * P);
        TestBlock b = TestBlock.of("b", 4 * P);
        byte[] bytes = records(w -> {
            w.writeZeroPage(a, 0);
            w.writeZeroPage(a, P);
            w.writeZeroPage(b, 0);
            w.writeZeroPage(a, 2 * P);
            w.resetContinue();
            w.writeZeroPage(a, 3 * P);
        });
        assertArrayEquals(Streams.hex("0000000000000002 01 61 00  0000000000001022 00  0000000000000002 01 62 00"
                + " 0000000000002002 01 61 00  0000000000003002 01 61 00"), bytes);
    }

    @Test
    void writersReportTheirByteCounts() {
        TestBlock a = TestBlock.of("abc", 4 * P);
        BlockWindows wa = new BlockWindows(a.memory(), a.usedLength());
        StreamWriter out = new StreamWriter(MemoryChannel.sink());
        RamRecordWriter w = new RamRecordWriter(out);
        assertEquals(8 + 1 + 3 + 1, w.writeZeroPage(a, 0));
        assertEquals(8 + 1, w.writeZeroPage(a, P));
        assertEquals(8 + P, w.writePage(a, 2 * P, wa.page(2 * P, P)));
        assertEquals(8 + 3 + 10, w.writeXbzrlePage(a, 3 * P, ByteBuffer.allocate(10)));
        assertEquals(8 + 4 + 20, w.writeCompressedPage(a, 3 * P, ByteBuffer.allocate(20)));
        assertEquals(8, w.writeEos());
        assertEquals(8 + 1 + 3 + 8, w.writeBlockList(List.of(a), false, P, false));
        assertEquals(out.bytesQueued(), 13 + 9 + 8 + P + 21 + 32 + 8 + 20);
        assertThrows(IllegalArgumentException.class, () -> w.writeZeroPage(a, 100));
        assertThrows(IllegalArgumentException.class, () -> w.writePage(a, 0, ByteBuffer.allocateDirect(100)));
        assertThrows(IllegalArgumentException.class, () -> w.writeXbzrlePage(a, 0, ByteBuffer.allocate(P + 1)));
    }

    @Test
    void blockListCarriesPageSizeAndAddressWhenAsked() throws IOException {
        TestBlock huge = TestBlock.of("huge", 4 * P).pageSize(2 << 20).gpa(0x1_0000_0000L);
        TestBlock small = TestBlock.of("small", 2 * P).gpa(0x2000);
        assertArrayEquals(Streams.hex("0000000000006004 04 68756765 0000000000004000 05 736d616c6c 0000000000002000"),
                records(w -> w.writeBlockList(List.of(huge, small), false, P, false)));
        assertArrayEquals(Streams.hex("0000000000006004 04 68756765 0000000000004000 0000000000200000"
                + " 05 736d616c6c 0000000000002000"), records(w -> w.writeBlockList(List.of(huge, small), true, P, false)));
        byte[] both = records(w -> w.writeBlockList(List.of(huge, small), true, P, true));
        assertArrayEquals(Streams.hex("0000000000006004 04 68756765 0000000000004000 0000000000200000 0000000100000000"
                + " 05 736d616c6c 0000000000002000 0000000000002000"), both);
        TestBlock dHuge = TestBlock.of("huge", 4 * P).pageSize(2 << 20).gpa(0x1_0000_0000L).markShared();
        TestBlock dSmall = TestBlock.of("small", 2 * P).gpa(0x2000);
        new RamRecordReader(Streams.reader(both), List.of(dSmall, dHuge),
                RamLoadOptions.PRECOPY.withPostcopyRamAdvised(true).withIgnoreShared(true)).loadRecord();
    }

    @Test
    void blockListErrors() {
        TestBlock src = TestBlock.of("ram", 8 * P).pageSize(2 << 20).gpa(0x4000);
        byte[] list = records(w -> w.writeBlockList(List.of(src), true, P, true));
        assertEquals("Unknown ramblock \"ram\", cannot accept migration",
                loadFails(list, List.of(TestBlock.of("mem", 8 * P)), RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Size mismatch: ram: 0x8000 != 0x4000: Invalid argument",
                loadFails(list, List.of(TestBlock.of("ram", 4 * P)), RamLoadOptions.PRECOPY).getMessage());
        TestBlock tooSmall = new TestBlock("ram", Arena.ofAuto().allocate(6 * P), 4 * P).makeResizable();
        assertEquals("Length too large: ram: 0x8000 > 0x6000: Invalid argument",
                loadFails(list, List.of(tooSmall), RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Mismatched RAM page size ram (local) 1073741824 != 2097152",
                loadFails(list, List.of(TestBlock.of("ram", 8 * P).pageSize(1 << 30)),
                        RamLoadOptions.PRECOPY.withPostcopyRamAdvised(true)).getMessage());
        assertEquals("Mismatched GPAs for block ram 16384!= 8192",
                loadFails(list, List.of(TestBlock.of("ram", 8 * P).pageSize(2 << 20).gpa(0x2000).markShared()),
                        RamLoadOptions.PRECOPY.withPostcopyRamAdvised(true).withIgnoreShared(true)).getMessage());
    }

    @Test
    void aGpaMismatchOfAMigratedBlockIsFine() throws IOException {
        TestBlock src = TestBlock.of("ram", 8 * P).gpa(0x4000);
        byte[] list = records(w -> w.writeBlockList(List.of(src), false, P, true));
        new RamRecordReader(Streams.reader(list), List.of(TestBlock.of("ram", 8 * P).gpa(0)),
                RamLoadOptions.PRECOPY.withIgnoreShared(true)).loadRecord();
    }

    @Test
    void resizableBlockTakesTheSourceLengthAndPagesLandInTheNewRange() throws IOException {
        TestBlock src = TestBlock.of("ram", 8 * P);
        pattern(src.memory(), 5);
        BlockWindows ws = new BlockWindows(src.memory(), src.usedLength());
        byte[] stream = records(w -> {
            w.writeBlockList(List.of(src), false, P, false);
            w.writePage(src, 7L * P, ws.page(7L * P, P));
            w.writeEos();
        });
        TestBlock dst = new TestBlock("ram", Arena.ofAuto().allocate(16 * P), 2 * P).makeResizable();
        new RamRecordReader(Streams.reader(stream), List.of(dst), RamLoadOptions.PRECOPY).loadSection();
        assertEquals(8 * P, dst.usedLength());
        assertEquals(-1, MemorySegment.mismatch(src.memory(), 7L * P, 8L * P, dst.memory(), 7L * P, 8L * P));
    }

    @Test
    void unalignedResizeIsRoundedToTheHostPage() throws IOException {
        byte[] list = Streams.bytes(w -> {
            w.put64(RamRecordDescriptor.word(0x4000, RamRecordDescriptor.FLAG_MEM_SIZE));
            w.putCountedString("ram");
            w.put64(0x3234);
        });
        // A length that does not add up to the total leaves a remainder: the list reads on until EOF.
        TestBlock dst = new TestBlock("ram", Arena.ofAuto().allocate(16 * P), 2 * P).makeResizable();
        RamRecordReader r = new RamRecordReader(Streams.reader(list), List.of(dst), RamLoadOptions.PRECOPY);
        assertThrows(EOFException.class, r::loadRecord);
        assertEquals(0x4000, dst.usedLength(), "HOST_PAGE_ALIGN(0x3234)");
    }

    @Test
    void pageRecordErrors() {
        TestBlock a = TestBlock.of("ram", 4 * P);
        List<TestBlock> blocks = List.of(a);
        assertEquals("Ack, bad migration stream!", loadFails(Streams.hex("0000000000000022 00"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Can't find block pc.ram", loadFails(Streams.hex("0000000000000008 06 70632e72616d"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Can't find block ra", loadFails(Streams.hex("0000000000000002 03 726100 00"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Illegal RAM offset 4000", loadFails(Streams.hex("0000000000004002 03 72616d 00"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Illegal RAM offset fffffffffffff000", loadFails(Streams.hex("FFFFFFFFFFFFF002 03 72616d 00"),
                blocks, RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Unknown combination of migration flags: 0xa", loadFails(Streams.hex("000000000000000a 03 72616d"),
                blocks, RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Unknown combination of migration flags: 0x1", loadFails(Streams.hex("0000000000000001"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Unknown combination of migration flags: 0x200", loadFails(Streams.hex("0000000000000200"),
                blocks, RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Unknown combination of migration flags: 0x0", loadFails(Streams.hex("0000000000000000"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Received an RDMA hook record on a stream that is not RDMA",
                loadFails(Streams.hex("0000000000000080"), blocks, RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Received an unexpected compressed page", loadFails(Streams.hex("0000000000000100"), blocks,
                RamLoadOptions.PRECOPY).getMessage());
        assertEquals("Received an unexpected compressed page", loadFails(Streams.hex("0000000000000122"), blocks,
                RamLoadOptions.PRECOPY).getMessage(), "checked before anything else");
    }

    @Test
    void sharedBlocksTakeNoPagesUnderIgnoreShared() throws IOException {
        TestBlock shared = TestBlock.of("mem", 4 * P).markShared();
        byte[] zero = Streams.hex("0000000000000002 03 6d656d 00 0000000000000010");
        assertEquals("block mem should not be migrated !", loadFails(zero, List.of(shared),
                RamLoadOptions.PRECOPY.withIgnoreShared(true)).getMessage());
        new RamRecordReader(Streams.reader(zero), List.of(shared), RamLoadOptions.PRECOPY).loadSection();
    }

    @Test
    void continueSurvivesSectionsButNotReset() throws IOException {
        TestBlock a = TestBlock.of("ram", 4 * P);
        byte[] stream = Streams.hex("0000000000000002 03 72616d 00 0000000000000010 0000000000001022 00 0000000000000010"
                + " 0000000000002022 00");
        RamRecordReader r = new RamRecordReader(Streams.reader(stream), List.of(a), RamLoadOptions.PRECOPY);
        assertEquals(1, r.loadSection());
        assertEquals(1, r.loadSection());
        r.resetContinue();
        assertEquals("Ack, bad migration stream!", assertThrows(StreamFormatException.class, r::loadSection)
                .getMessage());
    }

    @Test
    void zeroPagesWriteOnlyWhenNeeded() throws IOException {
        MemorySegment zeros = Arena.ofAuto().allocate(4 * P);
        // Read-only memory proves nothing is written over an already-zero page.
        TestBlock readOnly = new TestBlock("ram", zeros.asReadOnly(), 4 * P);
        new RamRecordReader(Streams.reader(Streams.hex("0000000000001002 03 72616d 00 0000000000000010")),
                List.of(readOnly), RamLoadOptions.PRECOPY).loadSection();
        TestBlock dirty = TestBlock.of("ram", 4 * P);
        pattern(dirty.memory(), 9);
        new RamRecordReader(Streams.reader(Streams.hex("0000000000001002 03 72616d 00 0000000000002022 7f"
                + " 0000000000000010")), List.of(dirty), RamLoadOptions.PRECOPY).loadSection();
        assertTrue(ZeroPages.isZero(dirty.memory(), P, P));
        for (long i = 2 * P; i < 3 * P; i++) {
            assertEquals(0x7f, dirty.memory().get(ValueLayout.JAVA_BYTE, i));
        }
        assertTrue(!ZeroPages.isZero(dirty.memory(), 0, P) && !ZeroPages.isZero(dirty.memory(), 3 * P, P),
                "neighbours untouched");
    }

    @Test
    void encodedPagesGoToTheDecoderWithTheirHeadersChecked() throws IOException {
        TestBlock a = TestBlock.of("ram", 4 * P);
        List<String> calls = new ArrayList<>();
        RamPageDecoder decoder = new RamPageDecoder() {
            @Override
            public void loadXbzrle(StreamReader in, int encodedLength, ByteBuffer page) throws IOException {
                calls.add("xbzrle " + encodedLength + " at " + page.position() + " " + page.remaining());
                in.skip(encodedLength);
            }

            @Override
            public void loadCompressed(StreamReader in, int compressedLength, ByteBuffer page) throws IOException {
                calls.add("zlib " + compressedLength + " at " + page.position() + " " + page.remaining());
                in.skip(compressedLength);
            }
        };
        byte[] stream = records(w -> {
            w.writeXbzrlePage(a, P, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            w.writeCompressedPage(a, 3 * P, ByteBuffer.wrap(new byte[5]));
            w.writeEos();
        });
        RamLoadOptions withDecoder = RamLoadOptions.PRECOPY.withCompress(true).withDecoder(decoder);
        assertEquals(2, new RamRecordReader(Streams.reader(stream), List.of(a), withDecoder).loadSection());
        assertEquals(List.of("xbzrle 3 at 4096 4096", "zlib 5 at 12288 4096"), calls);

        // Without a decoder the reader decodes XBZRLE itself: 01 02 03 promises two bytes it lacks.
        assertEquals("Failed to decompress XBZRLE page at 1000",
                loadFails(stream, List.of(a), RamLoadOptions.PRECOPY.withCompress(true)).getMessage());
        assertEquals("Failed to load XBZRLE page - wrong compression!",
                loadFails(Streams.hex("0000000000000040 03 72616d 02 0003 010203"), List.of(a), withDecoder)
                        .getMessage());
        assertEquals("Failed to load XBZRLE page - len overflow!",
                loadFails(Streams.hex("0000000000000040 03 72616d 01 1001"), List.of(a), withDecoder).getMessage());
        assertEquals("Invalid compressed data length: 4111",
                loadFails(Streams.hex("0000000000000100 03 72616d 0000100f"), List.of(a), withDecoder).getMessage());
        assertEquals("Invalid compressed data length: -1",
                loadFails(Streams.hex("0000000000000100 03 72616d ffffffff"), List.of(a), withDecoder).getMessage());
        assertEquals(4110, RamRecordDescriptor.compressBound(P));
    }

    @Test
    void truncatedRecordsEndInEof() {
        TestBlock a = TestBlock.of("ram", 4 * P);
        BlockWindows wa = new BlockWindows(a.memory(), a.usedLength());
        byte[] full = records(w -> {
            w.writeBlockList(List.of(a), false, P, false);
            w.writeZeroPage(a, 0);
            w.writePage(a, P, wa.page(P, P));
            w.writeEos();
        });
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(full, cut);
            RamRecordReader r = new RamRecordReader(Streams.reader(part, 7), List.of(TestBlock.of("ram", 4 * P)),
                    RamLoadOptions.PRECOPY);
            assertThrows(EOFException.class, r::loadSection, "cut at " + cut);
        }
    }

    @Test
    void loadingPagesDoesNotAllocate() throws IOException {
        TestBlock src = TestBlock.of("ram", 256 * P);
        BlockWindows ws = new BlockWindows(src.memory(), src.usedLength());
        byte[] stream = records(w -> {
            for (int round = 0; round < 8; round++) {
                for (int p = 0; p < 256; p++) {
                    if ((p & 1) == 0) {
                        w.writePage(src, p * (long) P, ws.page(p * (long) P, P));
                    } else {
                        w.writeZeroPage(src, p * (long) P);
                    }
                }
            }
            w.writeEos();
        });
        TestBlock dst = TestBlock.of("ram", 256 * P);
        RamRecordReader warm = new RamRecordReader(Streams.reader(stream), List.of(dst), RamLoadOptions.PRECOPY);
        warm.loadSection();
        RamRecordReader r = new RamRecordReader(Streams.reader(stream), List.of(dst), RamLoadOptions.PRECOPY);
        long before = AllocationMeter.allocatedBytes();
        assertEquals(2048, r.loadSection());
        long allocated = AllocationMeter.allocatedBytes() - before;
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 2048 records");
    }
}
