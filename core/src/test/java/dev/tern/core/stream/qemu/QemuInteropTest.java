package dev.tern.core.stream.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.device.DeviceSectionCodec;
import dev.tern.core.device.GlobalStateSection;
import dev.tern.core.device.TimerSection;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.Configuration;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.ConfigurationCodec;
import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.SectionFraming;
import dev.tern.core.stream.SectionHeader;
import dev.tern.core.stream.SectionTable;
import dev.tern.core.stream.StreamHeader;
import dev.tern.core.stream.StreamHeaderDescriptor;
import dev.tern.core.stream.StreamLoader;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.VmDescription;
import dev.tern.core.stream.VmDescriptionReader;
import dev.tern.core.stream.ZeroPages;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests against a real QEMU 7.2 {@code -M none} machine (spec appendix C): QEMU's streams
 * parsed with Tern's reader, and a stream written by Tern loaded by QEMU.
 */
@Tag("qemu")
@Timeout(120)
class QemuInteropTest {
    private static final long RAM = 64L << 20;
    private static final int P = 4096;

    @TempDir
    Path dir;
    private final List<QemuProcess> started = new ArrayList<>();
    private final List<Path> shm = new ArrayList<>();

    @BeforeEach
    void needQemu() {
        Assumptions.assumeTrue(QemuProcess.available(), "qemu-system-x86_64 is not installed");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (QemuProcess q : started) {
            q.close();
        }
        for (Path p : shm) {
            Files.deleteIfExists(p);
        }
    }

    private QemuProcess qemu(String name, String... extra) throws IOException {
        QemuProcess q = QemuProcess.start(dir, name, List.of(extra));
        started.add(q);
        return q;
    }

    private Path shmFile() {
        Path p = Path.of("/dev/shm", "tern-test-" + UUID.randomUUID());
        shm.add(p);
        return p;
    }

    private static String[] fileBacked(Path file) {
        return new String[] {"-object", "memory-backend-file,id=mem,size=64M,mem-path=" + file + ",share=on",
            "-machine", "memory-backend=mem"};
    }

    /** Page i is zero when i % 5 == 0, else a pattern of i and the offset. */
    private static void pattern(MemorySegment m) {
        for (long off = 0; off < m.byteSize(); off += 8) {
            long page = off / P;
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, off, page % 5 == 0 ? 0 : (page << 32) ^ off ^ 0x5DEECE66DL);
        }
    }

    private static void writeFile(Path file, java.util.function.Consumer<MemorySegment> fill) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, RAM, arena);
            fill.accept(m);
            m.force();
        }
    }

    private void migrateQemuTo(QemuProcess q, Path stream) throws Exception {
        q.qmp().execute("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:cat > " + stream + "\"}}");
        String result = q.qmp().awaitMigration();
        assertEquals("completed", Qmp.status(result), result + "\n" + q.output());
    }

    /** Loads a QEMU stream into one block, recording the sections and the JSON. */
    private static final class Parsed {
        final List<String> sections = new ArrayList<>();
        final TimerSection timer = new TimerSection(-1, -1);
        final GlobalStateSection global = new GlobalStateSection();
        String memSize;
        long pageRecords;
        String vmdesc;
    }

    private static Parsed parse(Path stream, RamBlock block) throws IOException {
        Parsed out = new Parsed();
        try (FileChannel file = FileChannel.open(stream, StandardOpenOption.READ)) {
            StreamReader in = new StreamReader(new FileStreamChannel(file));
            RamRecordReader ram = new RamRecordReader(in, List.of(block), RamLoadOptions.PRECOPY);
            SectionTable<StreamLoader.SectionHandler> table = new SectionTable<>();
            table.register("ram", 0, RamRecordDescriptor.SECTION_VERSION, (r, h, v) -> {
                out.sections.add(describe(h));
                if (h.type() == StreamHeaderDescriptor.SECTION_START) {
                    // Appendix C: the setup section is exactly the block list and EOS.
                    long word = r.get64();
                    String name = r.getCountedString();
                    long length = r.get64();
                    out.memSize = Long.toHexString(word) + " " + name + " " + length + " " + Long.toHexString(r.get64());
                } else {
                    out.pageRecords += ram.loadSection();
                }
            });
            for (DeviceSection d : List.<DeviceSection>of(out.timer, out.global)) {
                StreamLoader.SectionHandler device = DeviceSectionCodec.handler(d);
                table.register(d.idstr(), d.instanceId(), d.versionId(), (r, h, v) -> {
                    out.sections.add(describe(h));
                    device.load(r, h, v);
                });
            }
            StreamLoader loader = new StreamLoader(in, table, (r, c) -> {
                throw new AssertionError("QEMU sent a command: " + c);
            });
            assertEquals(List.of(), loader.loadPrologue(Configuration.local("none", Set.of(), Optional.empty())));
            assertEquals(StreamLoader.Outcome.EOF, loader.loadRecords());
            out.vmdesc = VmDescriptionReader.read(in);
            assertEquals(-1, in.tryPeek8(0), "nothing after the description");
        }
        return out;
    }

    private static String describe(SectionHeader h) {
        return switch (h.type()) {
            case StreamHeaderDescriptor.SECTION_START -> "START " + h.sectionId() + " " + h.idstr() + " "
                    + h.instanceId() + " v" + h.versionId();
            case StreamHeaderDescriptor.SECTION_FULL -> "FULL " + h.sectionId() + " " + h.idstr() + " "
                    + h.instanceId() + " v" + h.versionId();
            case StreamHeaderDescriptor.SECTION_PART -> "PART " + h.sectionId();
            default -> "END " + h.sectionId();
        };
    }

    private static String expectedVmDescription() throws IOException {
        VmDescription d = new VmDescription(P);
        StreamWriter sink = new StreamWriter(MemoryChannel.sink());
        DeviceSectionCodec.save(sink, 0, new TimerSection(), d);
        DeviceSectionCodec.save(sink, 4, new GlobalStateSection(), d);
        return d.toJson();
    }

    @Test
    void qemuStreamOfZeroRamParsesAsAppendixC() throws Exception {
        QemuProcess src = qemu("src", "-S");
        Path stream = dir.resolve("zero.bin");
        migrateQemuTo(src, stream);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(RAM, P);
            ram.fill((byte) 0x33);
            Parsed p = parse(stream, RamBlock.of("ram", ram));
            assertEquals("4000004 ram 67108864 10", p.memSize);
            assertEquals("START 2 ram 0 v4", p.sections.get(0));
            int n = p.sections.size();
            assertEquals(List.of("END 2", "FULL 0 timer 0 v2", "FULL 4 globalstate 0 v1"), p.sections.subList(n - 3, n));
            assertTrue(p.sections.subList(1, n - 3).stream().allMatch("PART 2"::equals), p.sections.toString());
            assertEquals(RAM / P, p.pageRecords, "every page once, as a zero page");
            assertTrue(ZeroPages.isZero(ram), "zero pages clear a destination that was not zero");
            assertEquals(Optional.of(RunState.PRELAUNCH), p.global.received());
            assertTrue(p.timer.received());
            assertEquals(expectedVmDescription(), p.vmdesc);
        }
    }

    @Test
    void qemuFileBackedPagesLandByteForByte() throws Exception {
        Path backing = shmFile();
        writeFile(backing, QemuInteropTest::pattern);
        QemuProcess src = qemu("src", fileBacked(backing));
        Path stream = dir.resolve("pattern.bin");
        migrateQemuTo(src, stream);
        try (Arena arena = Arena.ofConfined();
                FileChannel expected = FileChannel.open(backing, StandardOpenOption.READ)) {
            MemorySegment ram = arena.allocate(RAM, P);
            ram.fill((byte) 0x77);
            Parsed p = parse(stream, RamBlock.of("mem", ram));
            assertEquals("4000004 mem 67108864 10", p.memSize);
            assertEquals(Optional.of(RunState.RUNNING), p.global.received());
            MemorySegment want = expected.map(FileChannel.MapMode.READ_ONLY, 0, RAM, arena);
            assertEquals(-1, want.mismatch(ram), "destination RAM equals QEMU's RAM");
        }
    }

    private static void writeTernStream(Path stream, MemorySegment source, RunState state) throws IOException {
        try (FileChannel file = FileChannel.open(stream, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            StreamWriter w = new StreamWriter(new FileStreamChannel(file));
            RamBlock block = RamBlock.of("mem", source);
            BlockWindows windows = new BlockWindows(source, RAM);
            RamRecordWriter ram = new RamRecordWriter(w);
            StreamHeader.write(w);
            ConfigurationCodec.write(w, Configuration.outgoing("none", Set.of(), Optional.empty()));
            SectionFraming.writeStart(w, 2, "ram", 0, RamRecordDescriptor.SECTION_VERSION);
            ram.writeBlockList(List.of(block), false, P, false);
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            SectionFraming.writePart(w, 2);
            for (long off = 0; off < RAM; off += P) {
                if (ZeroPages.isZero(source, off, P)) {
                    ram.writeZeroPage(block, off);
                } else {
                    ram.writePage(block, off, windows.page(off, P));
                }
            }
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            SectionFraming.writeEnd(w, 2);
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            VmDescription vmdesc = new VmDescription(P);
            GlobalStateSection global = new GlobalStateSection();
            global.store(state);
            DeviceSectionCodec.save(w, 0, new TimerSection(), vmdesc);
            DeviceSectionCodec.save(w, 4, global, vmdesc);
            w.put8(StreamHeaderDescriptor.EOF);
            vmdesc.write(w);
            w.flush();
            assertTrue(w.error().isEmpty(), () -> w.error().get().toString());
        }
    }

    private void qemuLoadsTernStream(RunState sent, String expectedStatus) throws Exception {
        Path stream = dir.resolve("tern.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(RAM, P);
            pattern(source);
            writeTernStream(stream, source, sent);
            Path backing = shmFile();
            writeFile(backing, m -> m.fill((byte) 0x5A));
            QemuProcess dst = qemu("dst", concat(fileBacked(backing), "-incoming", "defer"));
            dst.qmp().execute("{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"exec:cat " + stream
                    + "\"}}");
            String result = dst.qmp().awaitMigration();
            assertEquals("completed", Qmp.status(result), result + "\n" + dst.output());
            assertEquals(expectedStatus, Qmp.status(dst.qmp().execute("{\"execute\": \"query-status\"}")));
            try (FileChannel received = FileChannel.open(backing, StandardOpenOption.READ)) {
                MemorySegment got = received.map(FileChannel.MapMode.READ_ONLY, 0, RAM, arena);
                assertEquals(-1, got.mismatch(source), "QEMU's RAM equals the pattern Tern sent");
            }
        }
    }

    @Test
    void qemuLoadsATernStreamAndRuns() throws Exception {
        qemuLoadsTernStream(RunState.RUNNING, "running");
    }

    @Test
    void qemuLoadsATernStreamAndStaysPaused() throws Exception {
        qemuLoadsTernStream(RunState.PAUSED, "paused");
    }

    @Test
    void qemuRefusesAStreamForAnotherBlock() throws Exception {
        Path stream = dir.resolve("wrong.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(RAM, P);
            writeTernStream(stream, source, RunState.RUNNING);
        }
        // Without a file backend QEMU's block is "ram", so "mem" is unknown to it.
        QemuProcess dst = qemu("dst", "-incoming", "defer");
        dst.qmp().execute("{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"exec:cat " + stream + "\"}}");
        try {
            String result = dst.qmp().awaitMigration();
            assertEquals("failed", Qmp.status(result), result);
        } catch (IOException exited) {
            // A 7.2 destination exits after a failed load; its log holds QEMU's message.
        }
        assertTrue(dst.output().contains("Unknown ramblock \"mem\", cannot accept migration"), dst.output());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
