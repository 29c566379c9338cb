package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.RamBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code tern-workload} device section: the workload continues on the destination. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkloadSectionTest {
    private static final long FROM = 1L << 20;
    private static final long TO = 2L << 20;

    private static ReferenceGuest.Builder sweepGuest() {
        return ReferenceGuest.builder()
                .ramBlock("pc.ram", 3L << 20)
                .vcpus(2)
                .workload(Workload.sequentialSweep(FROM, TO));
    }

    private static DeviceSection section(ReferenceGuest guest) {
        List<DeviceSection> devices = guest.devices();
        assertEquals(1, devices.size());
        return devices.get(0);
    }

    private static byte[] save(ReferenceGuest guest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        section(guest).save(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static void load(ReferenceGuest guest, byte[] payload, int version) throws IOException {
        section(guest).load(new DataInputStream(new ByteArrayInputStream(payload)), version);
    }

    /** What the engine's RAM stream does for this test: the destination gets the source's bytes. */
    private static void copyRam(ReferenceGuest from, ReferenceGuest to) {
        for (int b = 0; b < from.ramBlocks().size(); b++) {
            RamBlock source = from.ramBlocks().get(b);
            to.ramBlocks().get(b).memory().copyFrom(source.memory());
        }
    }

    @Test
    void theSectionIsNamedAndVersioned() {
        try (ReferenceGuest guest = sweepGuest().build()) {
            DeviceSection section = section(guest);
            assertEquals("tern-workload", section.idstr());
            assertEquals(0, section.instanceId());
            assertEquals(1, section.versionId());
            assertTrue(section.needed());
        }
        try (ReferenceGuest guest = sweepGuest().deviceSection(false).build()) {
            assertEquals(List.of(), guest.devices());
        }
    }

    @Test
    void thePayloadIsBigEndianKindCountThenPositionAndPassesPerVcpu() throws IOException {
        try (ReferenceGuest guest = sweepGuest().build()) {
            byte[] expected = ByteBuffer.allocate(1 + 4 + 2 * 16)
                    .put((byte) 1).putInt(2)
                    .putLong(FROM).putLong(0)
                    .putLong(0).putLong(0)
                    .array();
            assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(save(guest)));
        }
    }

    @Test
    void aDestinationContinuesTheSweepWhereTheSourceStopped() throws IOException {
        try (ReferenceGuest source = sweepGuest().build(); ReferenceGuest destination = sweepGuest().build()) {
            source.start();
            GuestProbes.await(() -> source.passes() >= 2 && source.progress().get(0).position() != FROM,
                    "two passes and a stop inside a pass");
            source.referenceVcpus().pause();
            // A stop inside a pass is not guaranteed by the wait above; make sure of it.
            while (source.progress().get(0).position() == FROM) {
                source.referenceVcpus().resume();
                source.referenceVcpus().pause();
            }
            List<VcpuProgress> atStop = source.progress();
            byte[] payload = save(source);

            copyRam(source, destination);
            load(destination, payload, 1);
            assertEquals(atStop, destination.progress());
            assertEquals(source.passes(), destination.passes());
            assertTrue(ReferenceGuest.checkSweep(destination.ramBlocks().get(0).memory(), FROM, TO).consistent());

            destination.start();
            long passesAtStop = atStop.get(0).passes();
            GuestProbes.await(() -> destination.passes() >= passesAtStop + 1, "the destination to finish a pass");
            destination.referenceVcpus().pause();
            SweepCheck check = ReferenceGuest.checkSweep(destination.ramBlocks().get(0).memory(), FROM, TO);
            assertTrue(check.consistent(), check.message());
        }
    }

    @Test
    void randomWorkloadsResumeTheirGeneratorAndWriteCount() throws IOException {
        ReferenceGuest.Builder builder = ReferenceGuest.builder()
                .ramBlock("pc.ram", 1L << 20)
                .vcpus(3)
                .workload(Workload.hotSet(0.1, 0.8, 0));
        try (ReferenceGuest source = builder.build(); ReferenceGuest destination = builder.build()) {
            source.start();
            GuestProbes.await(() -> source.passes() > 3000, "some writes");
            source.referenceVcpus().pause();
            List<VcpuProgress> atStop = source.progress();
            load(destination, save(source), 1);
            assertEquals(atStop, destination.progress());
            assertEquals(source.passes(), destination.passes());
            assertEquals(0, destination.pagesWritten(), "pagesWritten is this guest's own count");
        }
    }

    @Test
    void loadingWhileTheDestinationRunsStopsItForTheMoment() throws IOException {
        ReferenceGuest.Builder builder = ReferenceGuest.builder()
                .ramBlock("pc.ram", 1L << 20)
                .workload(Workload.uniformRandom(0));
        try (ReferenceGuest source = builder.build(); ReferenceGuest destination = builder.build()) {
            byte[] payload = save(source);
            destination.start();
            GuestProbes.await(() -> destination.passes() > 100, "some writes");
            load(destination, payload, 1);
            assertTrue(destination.referenceVcpus().running(), "load must not leave the guest paused");
            destination.referenceVcpus().pause();
        }
    }

    @Test
    void malformedPayloadsAreRefusedWithTheReason() throws IOException {
        try (ReferenceGuest guest = sweepGuest().build()) {
            byte[] good = save(guest);

            assertEquals("tern-workload: cannot load version 2, only version 1",
                    assertThrows(IOException.class, () -> load(guest, good, 2)).getMessage());

            byte[] otherKind = good.clone();
            otherKind[0] = 2;
            assertEquals("tern-workload: the source's workload is \"uniform random\", this guest's is \"sequential sweep\"",
                    assertThrows(IOException.class, () -> load(guest, otherKind, 1)).getMessage());
            otherKind[0] = 9;
            assertEquals("tern-workload: the source's workload is \"unknown (9)\", this guest's is \"sequential sweep\"",
                    assertThrows(IOException.class, () -> load(guest, otherKind, 1)).getMessage());

            byte[] threeVcpus = good.clone();
            threeVcpus[4] = 3;
            assertEquals("tern-workload: the source has 3 vCPUs, this guest has 2",
                    assertThrows(IOException.class, () -> load(guest, threeVcpus, 1)).getMessage());

            byte[] outside = ByteBuffer.wrap(good.clone()).putLong(5, TO).array();
            assertEquals("tern-workload: sweep position 0x200000 is not a page of [0x100000, 0x200000)",
                    assertThrows(IOException.class, () -> load(guest, outside, 1)).getMessage());
            byte[] unaligned = ByteBuffer.wrap(good.clone()).putLong(5, FROM + 1).array();
            assertEquals("tern-workload: sweep position 0x100001 is not a page of [0x100000, 0x200000)",
                    assertThrows(IOException.class, () -> load(guest, unaligned, 1)).getMessage());

            byte[] truncated = Arrays.copyOf(good, good.length - 1);
            assertThrows(EOFException.class, () -> load(guest, truncated, 1));

            // None of the refused payloads changed anything.
            assertEquals(List.of(new VcpuProgress(FROM, 0), new VcpuProgress(0, 0)), guest.progress());
            assertArrayEquals(good, save(guest));
        }
    }
}
