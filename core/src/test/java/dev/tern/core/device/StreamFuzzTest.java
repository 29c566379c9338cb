package dev.tern.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.core.stream.BlockWindows;
import dev.tern.core.stream.CommandCodec;
import dev.tern.core.stream.Configuration;
import dev.tern.core.stream.ConfigurationCodec;
import dev.tern.core.stream.MigCommand;
import dev.tern.core.stream.RamLoadOptions;
import dev.tern.core.stream.RamRecordDescriptor;
import dev.tern.core.stream.RamRecordReader;
import dev.tern.core.stream.RamRecordWriter;
import dev.tern.core.stream.SectionFraming;
import dev.tern.core.stream.SectionTable;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamHeader;
import dev.tern.core.stream.StreamHeaderDescriptor;
import dev.tern.core.stream.StreamLoader;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.Streams;
import dev.tern.core.stream.TestBlock;
import dev.tern.core.stream.VmDescription;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of a valid stream fed to the destination's loader: every run must end in
 * success, {@link StreamFormatException} or {@link EOFException}, never another exception, and no
 * byte outside the RAM blocks may change.
 */
class StreamFuzzTest {
    private static final int P = 4096;
    private static final long GUARD = 2 * P;
    private static final byte GUARD_BYTE = (byte) 0xA5;

    /** A destination: blocks carved out of guarded segments. */
    private static final class Destination {
        final Arena arena = Arena.ofConfined();
        final MemorySegment aWhole = arena.allocate(32 * P + 2 * GUARD);
        final MemorySegment bWhole = arena.allocate(12 * P + 2 * GUARD);
        final TestBlock a;
        final TestBlock b;

        Destination() {
            aWhole.fill(GUARD_BYTE);
            bWhole.fill(GUARD_BYTE);
            a = new TestBlock("pc.ram", aWhole.asSlice(GUARD, 32 * P), 32 * P);
            // "vga" may be resized up to 12 pages by a mutated MEM_SIZE list.
            b = new TestBlock("vga", bWhole.asSlice(GUARD, 12 * P), 4 * P).makeResizable();
        }

        void checkGuards(String context) {
            check(aWhole, 32 * P, context);
            check(bWhole, 12 * P, context);
        }

        private static void check(MemorySegment whole, long inner, String context) {
            for (long i = 0; i < GUARD; i++) {
                if (whole.get(ValueLayout.JAVA_BYTE, i) != GUARD_BYTE
                        || whole.get(ValueLayout.JAVA_BYTE, GUARD + inner + i) != GUARD_BYTE) {
                    fail("write outside a block: " + context);
                }
            }
        }
    }

    /** An SPI device with a variable payload. */
    private static final class Blob implements DeviceSection {
        @Override
        public String idstr() {
            return "blob";
        }

        @Override
        public int versionId() {
            return 1;
        }

        @Override
        public void save(DataOutput out) throws IOException {
            out.writeUTF("tern");
            out.writeInt(3);
            out.write(new byte[] {1, 2, 3});
        }

        @Override
        public void load(DataInput in, int versionId) throws IOException {
            in.readUTF();
            int n = in.readInt();
            if (n < 0 || n > 64) {
                throw new IOException("bad blob length " + n);
            }
            in.readFully(new byte[n]);
        }
    }

    private static byte[] validStream() {
        TestBlock a = TestBlock.of("pc.ram", 32 * P);
        TestBlock b = TestBlock.of("vga", 4 * P);
        for (long i = 0; i < a.usedLength(); i += 8) {
            a.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31 + 7);
        }
        b.memory().fill((byte) 3);
        BlockWindows wa = new BlockWindows(a.memory(), a.usedLength());
        BlockWindows wb = new BlockWindows(b.memory(), b.usedLength());
        return Streams.bytes(w -> {
            StreamHeader.write(w);
            ConfigurationCodec.write(w, Configuration.outgoing("none", Set.of(), Optional.empty()));
            CommandCodec.writeOpenReturnPath(w);
            CommandCodec.writePing(w, 1);
            RamRecordWriter ram = new RamRecordWriter(w);
            SectionFraming.writeStart(w, 2, "ram", 0, 4);
            ram.writeBlockList(List.of(a, b), false, P, false);
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            SectionFraming.writePart(w, 2);
            // Few full pages, so mutations mostly land in structure rather than page contents.
            for (int p = 0; p < 32; p++) {
                if (p % 8 == 0) {
                    ram.writePage(a, p * (long) P, wa.page(p * (long) P, P));
                } else {
                    ram.writeZeroPage(a, p * (long) P);
                }
            }
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            CommandCodec.writeRamDiscard(w, "pc.ram", List.of(new CommandCodec.DiscardRange(0, P)));
            CommandCodec.writeRecvBitmap(w, "vga");
            SectionFraming.writeEnd(w, 2);
            ram.writePage(b, 3L * P, wb.page(3L * P, P));
            for (int p = 0; p < 3; p++) {
                ram.writeZeroPage(b, p * (long) P);
            }
            ram.writeZeroPage(a, 5L * P);
            ram.writeEos();
            SectionFraming.writeFooter(w, 2);
            VmDescription vmdesc = new VmDescription(P);
            GlobalStateSection global = new GlobalStateSection();
            global.store(RunState.RUNNING);
            try {
                DeviceSectionCodec.save(w, 0, new TimerSection(1, 2), vmdesc);
                DeviceSectionCodec.save(w, 4, global, vmdesc);
                DeviceSectionCodec.save(w, 5, new Blob(), vmdesc);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            w.put8(StreamHeaderDescriptor.EOF);
            vmdesc.write(w);
        });
    }

    /** Loads a stream as a destination would; returns normally on success. */
    private static void load(byte[] stream, Destination dst, int chunk) throws IOException {
        StreamReader in = Streams.reader(stream, chunk);
        RamRecordReader ram = new RamRecordReader(in, List.of(dst.a, dst.b), RamLoadOptions.PRECOPY);
        SectionTable<StreamLoader.SectionHandler> table = new SectionTable<>();
        table.register("ram", 0, RamRecordDescriptor.SECTION_VERSION, (r, header, version) -> {
            if (version != RamRecordDescriptor.SECTION_VERSION) {
                throw StreamFormatException.loadStateFailed(0, "ram", null);
            }
            ram.loadSection();
        });
        for (DeviceSection d : List.of(new TimerSection(), new GlobalStateSection(), new Blob())) {
            table.register(d.idstr(), d.instanceId(), d.versionId(), DeviceSectionCodec.handler(d));
        }
        StreamLoader loader = new StreamLoader(in, table, (r, c) -> {
            switch (c.command()) {
                case PING -> CommandCodec.readPing(r);
                case POSTCOPY_ADVISE -> CommandCodec.readPostcopyAdvise(r, c.length(), false);
                case POSTCOPY_RAM_DISCARD -> CommandCodec.readRamDiscard(r, c.length());
                case RECV_BITMAP -> CommandCodec.readRecvBitmap(r, c.length());
                case PACKAGED -> CommandCodec.readPackagedLength(r);
                default -> {
                    // payload-less commands
                }
            }
            return c.command() == MigCommand.POSTCOPY_RUN;
        });
        loader.loadPrologue(Configuration.local("none", Set.of(), Optional.empty()));
        if (loader.loadRecords() == StreamLoader.Outcome.EOF) {
            loader.discardVmDescription();
        }
    }

    private void expectCleanOutcome(byte[] stream, String context, int chunk) {
        Destination dst = new Destination();
        try {
            load(stream, dst, chunk);
            outcomes.merge("success", 1, Integer::sum);
        } catch (StreamFormatException | EOFException e) {
            // the only acceptable failures
            outcomes.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
        } catch (Throwable t) {
            throw new AssertionError(context + ": " + t, t);
        } finally {
            dst.checkGuards(context);
            dst.arena.close();
        }
    }

    /** Outcomes seen, by exception message (or "success"), to check the fuzzing reaches many checks. */
    private final Map<String, Integer> outcomes = new HashMap<>();

    @Test
    void theValidStreamLoadsCompletely() throws IOException {
        Destination dst = new Destination();
        load(validStream(), dst, 1000);
        assertEquals(4 * P, dst.b.usedLength());
        assertEquals(7, dst.a.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertEquals(3, dst.b.memory().get(ValueLayout.JAVA_BYTE, 4 * P - 1));
        assertEquals(0, dst.b.memory().get(ValueLayout.JAVA_BYTE, 0));
        dst.checkGuards("valid");
        dst.arena.close();
    }

    @Test
    void everyTruncationEndsInAFormatErrorOrEof() {
        byte[] valid = validStream();
        for (int cut = 0; cut < valid.length; cut += (cut < 2000 || valid.length - cut < 2000) ? 1 : 97) {
            expectCleanOutcome(Arrays.copyOf(valid, cut), "cut at " + cut, 4096);
        }
    }

    @Test
    void randomMutationsNeverEscapeTheExpectedExceptions() {
        byte[] valid = validStream();
        SplittableRandom random = new SplittableRandom(0x7E57_F022L);
        for (int iteration = 0; iteration < 3000; iteration++) {
            byte[] s = valid.clone();
            int mutations = 1 + random.nextInt(4);
            StringBuilder what = new StringBuilder("iteration " + iteration + ":");
            for (int m = 0; m < mutations; m++) {
                // Half of the mutations hit the first or last bytes, where headers, sections and devices are.
                int at = random.nextBoolean() ? random.nextInt(s.length)
                        : random.nextBoolean() ? random.nextInt(Math.min(s.length, 800))
                        : Math.max(0, s.length - 1 - random.nextInt(Math.min(s.length, 1500)));
                switch (random.nextInt(6)) {
                    case 0, 1 -> {
                        s[at] = (byte) random.nextInt(256);
                        what.append(" set ").append(at);
                    }
                    case 2 -> {
                        s[at] ^= (byte) (1 << random.nextInt(8));
                        what.append(" flip ").append(at);
                    }
                    case 3 -> {
                        s = Arrays.copyOf(s, at);
                        what.append(" cut ").append(at);
                    }
                    case 4 -> {
                        int n = 1 + random.nextInt(16);
                        byte[] t = new byte[s.length + n];
                        System.arraycopy(s, 0, t, 0, at);
                        for (int i = 0; i < n; i++) {
                            t[at + i] = (byte) random.nextInt(256);
                        }
                        System.arraycopy(s, at, t, at + n, s.length - at);
                        s = t;
                        what.append(" insert ").append(n).append('@').append(at);
                    }
                    default -> {
                        int n = Math.min(1 + random.nextInt(64), s.length - at);
                        byte[] t = new byte[s.length - n];
                        System.arraycopy(s, 0, t, 0, at);
                        System.arraycopy(s, at + n, t, at, s.length - at - n);
                        s = t;
                        what.append(" delete ").append(n).append('@').append(at);
                    }
                }
                if (s.length == 0) {
                    break;
                }
            }
            expectCleanOutcome(s, what.toString(), 1 + random.nextInt(9000));
        }
        assertTrue(outcomes.getOrDefault("success", 0) > 100, "some mutations keep the stream valid");
        assertTrue(outcomes.size() > 50, "mutations reach many different checks: " + outcomes.keySet());
    }
}
