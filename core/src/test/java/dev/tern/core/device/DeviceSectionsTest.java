package dev.tern.core.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.SectionFraming;
import dev.tern.core.stream.SectionHeader;
import dev.tern.core.stream.SectionTable;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamHeaderDescriptor;
import dev.tern.core.stream.StreamLoader;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.Streams;
import dev.tern.core.stream.VmDescription;
import dev.tern.core.stream.VmStateSubsections;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceSectionsTest {
    /** QEMU 7.2's globalstate and timer sections of a "-M none -S" source, from a captured stream. */
    private static final String QEMU_TIMER = "04 00000000 05 74696d6572 00000000 00000002" + "00".repeat(24)
            + " 7e 00000000";
    private static final String QEMU_GLOBALSTATE = "04 00000004 0b 676c6f62616c7374617465 00000000 00000001"
            + " 0000000a 707265 6c61756e6368" + "00".repeat(91) + " 7e 00000004";
    private static final String QEMU_VMDESC = "{\"page_size\": 4096, \"devices\": [{\"name\": \"timer\", \"instance_id\": 0,"
            + " \"vmsd_name\": \"timer\", \"version\": 2, \"fields\": [{\"name\": \"cpu_ticks_offset\", \"type\": \"int64\","
            + " \"size\": 8}, {\"name\": \"unused\", \"type\": \"unused_buffer\", \"size\": 8}, {\"name\":"
            + " \"cpu_clock_offset\", \"type\": \"int64\", \"size\": 8}]}, {\"name\": \"globalstate\", \"instance_id\": 0,"
            + " \"vmsd_name\": \"globalstate\", \"version\": 1, \"fields\": [{\"name\": \"size\", \"type\": \"uint32\","
            + " \"size\": 4}, {\"name\": \"runstate\", \"type\": \"buffer\", \"size\": 100}]}]}";

    private static SectionTable<StreamLoader.SectionHandler> tableOf(DeviceSection... devices) {
        SectionTable<StreamLoader.SectionHandler> t = new SectionTable<>();
        for (DeviceSection d : devices) {
            t.register(d.idstr(), d.instanceId(), d.versionId(), DeviceSectionCodec.handler(d));
        }
        return t;
    }

    /** Loads FULL sections until EOF with the record loop. */
    private static void load(byte[] sections, DeviceSection... devices) throws IOException {
        byte[] withEof = java.util.Arrays.copyOf(sections, sections.length + 1);
        StreamLoader l = new StreamLoader(Streams.reader(withEof, 7), tableOf(devices), (in, c) -> {
            throw new AssertionError("no commands");
        });
        assertEquals(StreamLoader.Outcome.EOF, l.loadRecords());
    }

    @Test
    void timerAndGlobalStateAreQemusBytesAndVmDescription() throws IOException {
        TimerSection timer = new TimerSection();
        GlobalStateSection global = new GlobalStateSection();
        global.store(RunState.PRELAUNCH);
        VmDescription vmdesc = new VmDescription(4096);
        byte[] b = Streams.bytes(w -> {
            try {
                DeviceSectionCodec.save(w, 0, timer, vmdesc);
                DeviceSectionCodec.save(w, 4, global, vmdesc);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertArrayEquals(Streams.hex(QEMU_TIMER + QEMU_GLOBALSTATE), b);
        assertEquals(QEMU_VMDESC, vmdesc.toJson());
    }

    @Test
    void qemusSectionsLoad() throws IOException {
        TimerSection timer = new TimerSection(5, 6);
        GlobalStateSection global = new GlobalStateSection();
        assertEquals(Optional.empty(), global.received());
        load(Streams.hex(QEMU_TIMER + QEMU_GLOBALSTATE), timer, global);
        assertTrue(timer.received());
        assertEquals(0, timer.cpuTicksOffset());
        assertEquals(0, timer.cpuClockOffset());
        assertEquals(Optional.of(RunState.PRELAUNCH), global.received());
    }

    @Test
    void timerRoundTripsAndReadsVersionOne() throws IOException {
        TimerSection src = new TimerSection(0x1122334455667788L, -9);
        byte[] b = Streams.bytes(w -> {
            try {
                DeviceSectionCodec.save(w, 1, src, new VmDescription(4096));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        TimerSection dst = new TimerSection();
        load(b, dst);
        assertEquals(0x1122334455667788L, dst.cpuTicksOffset());
        assertEquals(-9, dst.cpuClockOffset());
        TimerSection v1 = new TimerSection(0, 77);
        load(Streams.hex("04 00000000 05 74696d6572 00000000 00000001 0000000000000003 0000000000000000 7e 00000000"), v1);
        assertEquals(3, v1.cpuTicksOffset());
        assertEquals(77, v1.cpuClockOffset(), "version 1 has no clock offset");
        StreamFormatException old = assertThrows(StreamFormatException.class, () -> load(
                Streams.hex("04 00000000 05 74696d6572 00000000 00000000 7e 00000000"), new TimerSection()));
        assertEquals("timer: incoming version_id 0 is too old for local minimum version_id  1", old.getMessage());
    }

    @Test
    void icountSubsectionIsRefused() {
        byte[] b = Streams.bytes(w -> {
            SectionFraming.writeFull(w, 0, "timer", 0, 2);
            w.putBytes(new byte[24]);
            VmStateSubsections.writeHeader(w, "timer/icount", 1);
            w.putBytes(new byte[16]);
            SectionFraming.writeFooter(w, 0);
        });
        assertEquals("Unknown subsection 'timer/icount' in vmstate 'timer'",
                assertThrows(StreamFormatException.class, () -> load(b, new TimerSection())).getMessage());
    }

    @Test
    void globalStateEdges() throws IOException {
        GlobalStateSection running = new GlobalStateSection();
        running.store(RunState.RUNNING);
        byte[] b = Streams.bytes(w -> {
            try {
                DeviceSectionCodec.save(w, 2, running, new VmDescription(4096));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        GlobalStateSection dst = new GlobalStateSection();
        load(b, dst);
        assertEquals(Optional.of(RunState.RUNNING), dst.received());

        String header = "04 00000002 0b 676c6f62616c7374617465 00000000 00000001 00000000";
        assertEquals("invalid parameter value: flying", assertThrows(StreamFormatException.class,
                () -> load(Streams.hex(header + " 666c79696e67" + "00".repeat(94) + " 7e 00000002"),
                        new GlobalStateSection())).getMessage());
        assertEquals("invalid parameter value: " + "a".repeat(99), assertThrows(StreamFormatException.class,
                () -> load(Streams.hex(header + "61".repeat(100) + " 7e 00000002"), new GlobalStateSection()))
                .getMessage(), "a full buffer is cut at 99 bytes");
        GlobalStateSection nothingStored = new GlobalStateSection();
        byte[] empty = Streams.bytes(w -> {
            try {
                DeviceSectionCodec.save(w, 2, nothingStored, new VmDescription(4096));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertArrayEquals(Streams.hex("04 00000002 0b 676c6f62616c7374617465 00000000 00000001 00000001"
                + "00".repeat(100) + " 7e 00000002"), empty, "QEMU sends an empty name when nothing was stored");
        assertEquals("invalid parameter value: ", assertThrows(StreamFormatException.class,
                () -> load(empty, new GlobalStateSection())).getMessage());
    }

    @Test
    void globalStateNeededFollowsStoreGlobalState() {
        GlobalStateSection always = new GlobalStateSection();
        always.store(RunState.RUNNING);
        assertTrue(always.needed());
        GlobalStateSection optional = new GlobalStateSection(false);
        optional.store(RunState.RUNNING);
        assertFalse(optional.needed());
        optional.store(RunState.PAUSED);
        assertFalse(optional.needed());
        optional.store(RunState.SUSPENDED);
        assertTrue(optional.needed());
    }

    /** An SPI device with a payload of its own. */
    private static class Counter implements DeviceSection {
        long value;
        int loadedVersion;

        Counter(long value) {
            this.value = value;
        }

        @Override
        public String idstr() {
            return "tern-counter";
        }

        @Override
        public int instanceId() {
            return 3;
        }

        @Override
        public int versionId() {
            return 2;
        }

        @Override
        public void save(DataOutput out) throws IOException {
            out.writeLong(value);
            out.writeUTF("ok");
        }

        @Override
        public void load(DataInput in, int versionId) throws IOException {
            value = in.readLong();
            if (!in.readUTF().equals("ok")) {
                throw new IOException("bad marker");
            }
            loadedVersion = versionId;
        }
    }

    @Test
    void spiDevicesRoundTripWithABufferDescription() throws IOException {
        VmDescription vmdesc = new VmDescription(4096);
        byte[] b = Streams.bytes(w -> {
            try {
                DeviceSectionCodec.save(w, 7, new Counter(99), vmdesc);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        Counter dst = new Counter(0);
        load(b, dst);
        assertEquals(99, dst.value);
        assertEquals(2, dst.loadedVersion);
        assertEquals("{\"page_size\": 4096, \"devices\": [{\"name\": \"tern-counter\", \"instance_id\": 3, \"vmsd_name\":"
                + " \"tern-counter\", \"version\": 2, \"fields\": [{\"name\": \"state\", \"type\": \"buffer\", \"size\":"
                + " 12}]}]}", vmdesc.toJson());
    }

    @Test
    void deviceFailuresAreReportedAsQemuDoes() {
        byte[] bad = Streams.bytes(w -> {
            SectionFraming.writeFull(w, 7, "tern-counter", 3, 2);
            w.put64(1);
            w.put16(2);
            w.putBytes("no".getBytes());
            SectionFraming.writeFooter(w, 7);
        });
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> load(bad, new Counter(0)));
        assertEquals("error while loading state for instance 0x3 of device 'tern-counter'", e.getMessage());
        assertEquals("bad marker", e.getCause().getMessage());

        DeviceSection throwsRuntime = new Counter(0) {
            @Override
            public void load(DataInput in, int versionId) {
                throw new ArrayIndexOutOfBoundsException(5);
            }
        };
        StreamFormatException r = assertThrows(StreamFormatException.class, () -> DeviceSectionCodec.load(
                Streams.reader(new byte[8]), throwsRuntime, new SectionHeader(4, 7, "tern-counter", 3, 2), 2));
        assertInstanceOf(ArrayIndexOutOfBoundsException.class, r.getCause());
        assertThrows(EOFException.class, () -> DeviceSectionCodec.load(Streams.reader(new byte[3]), new Counter(0),
                new SectionHeader(4, 7, "tern-counter", 3, 2), 2));
    }

    @Test
    void savingOnAFailedStreamReportsItsError() {
        StreamWriter w = new StreamWriter(MemoryChannel.sink().failAfter(0));
        w.putBytes(new byte[StreamWriter.BUFFER_SIZE + 1]);
        IOException e = assertThrows(IOException.class,
                () -> DeviceSectionCodec.save(w, 1, new TimerSection(), new VmDescription(4096)));
        assertEquals("write failed after 0 bytes", e.getMessage());
    }

    @Test
    void sectionEndsWithEofMarkerOnly() throws IOException {
        StreamReader in = Streams.reader(Streams.hex(QEMU_TIMER + "00"));
        assertEquals(StreamHeaderDescriptor.SECTION_FULL, in.get8());
        SectionHeader h = SectionFraming.readHeader(in, StreamHeaderDescriptor.SECTION_FULL);
        DeviceSectionCodec.load(in, new TimerSection(), h, h.versionId());
        SectionFraming.checkFooter(in, h.idstr(), h.sectionId());
        assertEquals(0, in.get8());
    }
}
