package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The guest SPI over a real KVM guest, without the engine: what the engine would do by hand
 * (sync the dirty log, pause, save the sections, copy RAM, load, resume the destination).
 */
@RequiresKvm
@Timeout(120)
class KvmGuestTest {
    private static final long MIB = 1L << 20;

    private static KvmGuest.Builder small(int vcpus) {
        return KvmGuest.builder().ramSize(8 * MIB).vcpus(vcpus).sweep(MIB, 7 * MIB);
    }

    private static void awaitPasses(KvmGuest guest, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (guest.passes() < count) {
            assertTrue(guest.failure().isEmpty(), () -> guest.failure().orElseThrow().getMessage());
            assertTrue(System.nanoTime() < deadline, "no pass " + count + ": " + guest.passes());
            Thread.sleep(1);
        }
    }

    @Test
    void theSweepIsSplitOnePagePerVcpuShareAndTheBlockIsTheSlot() {
        try (KvmGuest guest = small(3).build()) {
            assertEquals(List.of(new SweepGuestProgram(MIB, MIB + 512 * SweepGuestProgram.PAGE, 1),
                    new SweepGuestProgram(MIB + 512 * SweepGuestProgram.PAGE, MIB + 1024 * SweepGuestProgram.PAGE, 1),
                    new SweepGuestProgram(MIB + 1024 * SweepGuestProgram.PAGE, 7 * MIB, 1)), guest.programs());
            RamBlock block = guest.ramBlocks().getFirst();
            assertEquals("pc.ram", block.name());
            assertEquals(8 * MIB, block.usedLength());
            assertEquals(guest.ram().memory().address(), block.memory().address());
            assertTrue(block.backingFile().isEmpty());
            assertEquals(KvmGuest.DEFAULT_MACHINE_TYPE, guest.machineType());
            assertEquals(List.of("cpu/0", "cpu/1", "cpu/2", "tern-sweep-serial/0"), guest.devices().stream()
                    .map(d -> d.idstr() + "/" + d.instanceId()).toList());
            assertEquals(3, guest.vcpus().orElseThrow().vcpuCount());
            assertFalse(guest.vcpus().orElseThrow().running());
        }
    }

    @Test
    void fileBackedRamIsTheFileTheBlockNamesAndLeavesNoFileBehind(@TempDir Path dir) throws Exception {
        try (KvmGuest guest = small(1).fileBackedRam(dir).build()) {
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count(), "the RAM file is unlinked once mapped");
            }
            RamBlock block = guest.ramBlocks().getFirst();
            FileChannel file = block.backingFile().orElseThrow();
            assertEquals(8 * MIB, file.size());
            guest.start();
            awaitPasses(guest, 3);
            guest.vcpus().orElseThrow().pause();
            ByteBuffer bytes = ByteBuffer.allocate((int) (8 * MIB));
            while (bytes.hasRemaining() && file.read(bytes, bytes.position()) > 0) {
                // read the whole file
            }
            assertEquals(-1, MemorySegment.mismatch(MemorySegment.ofArray(bytes.array()), 0, 8 * MIB, block.memory(), 0,
                    8 * MIB), "the guest's writes are the file's bytes");
            assertTrue(bytes.get((int) MIB) != 0, "the sweep wrote the first page");
        }
        try (KvmGuest anonymous = small(1).build()) {
            assertTrue(anonymous.ramBlocks().getFirst().backingFile().isEmpty());
        }
    }

    @Test
    void missingRamDirectoryIsReported(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> small(1).fileBackedRam(missing).build());
        assertTrue(e.getMessage().startsWith("cannot create file-backed RAM in " + missing + ": "), e.getMessage());
    }

    @Test
    void machineTypeAndUuidAreTheBuilders() {
        java.util.UUID id = java.util.UUID.fromString("12345678-9abc-def0-1234-56789abcdef0");
        try (KvmGuest guest = small(1).machineType("pc-q35-7.2").uuid(id).build()) {
            assertEquals("pc-q35-7.2", guest.machineType());
            assertEquals(java.util.Optional.of(id), guest.uuid());
        }
        try (KvmGuest guest = small(1).build()) {
            assertEquals(java.util.Optional.empty(), guest.uuid());
        }
        assertEquals("the machine type needs a name",
                assertThrows(IllegalArgumentException.class, () -> small(1).machineType("")).getMessage());
    }

    @Test
    void settingsThatMakeNoGuestAreRefused() {
        assertEquals("sweep range [0x2000, 0x700000) must be 4 KiB-aligned, start at or above the code pages' end"
                + " 0x3000, end within the 0x800000 bytes of RAM and hold a page per vCPU",
                assertThrows(IllegalArgumentException.class, () -> small(2).sweep(0x2000, 7 * MIB).build())
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> small(1).sweep(MIB, 9 * MIB).build());
        assertThrows(IllegalArgumentException.class, () -> small(0).build());
        assertThrows(IllegalArgumentException.class, () -> small(1).ramSize(KvmGuest.MAX_RAM + 4096).build());
        // the smallest sweep: one page per vCPU
        try (KvmGuest g = small(2).sweep(0x3000, 0x5000).build()) {
            assertEquals(2, g.programs().size());
        }
    }

    @ParameterizedTest
    @EnumSource(DirtyTrackingMode.class)
    void stateMovedByHandContinuesOnAnIncomingGuest(DirtyTrackingMode mode) throws Exception {
        try (KvmGuest source = small(2).dirtyTracking(mode).build();
                KvmGuest destination = small(2).dirtyTracking(mode).buildIncoming()) {
            assertEquals(mode, source.dirtyTrackingMode());
            assertEquals(mode == DirtyTrackingMode.RING, source.dirtyRing().isPresent());
            DirtyLog log = source.dirtyLog().orElseThrow();
            RamBlock block = source.ramBlocks().getFirst();
            long[] words = new long[(int) (block.usedLength() / 4096 / 64)];
            boolean ring = mode == DirtyTrackingMode.RING;
            if (ring) {
                // A ring-tracked guest refuses to start a migration's log (see TrackerDirtyLog).
                assertEquals(TrackerDirtyLog.RING_MIGRATION_REFUSED,
                        assertThrows(dev.tern.api.UnavailableFeatureException.class, log::start).getMessage());
            } else {
                log.start();
                log.syncInto(block, MemorySegment.ofArray(words));
                java.util.Arrays.fill(words, 0);
            }
            source.start();
            assertTrue(source.vcpus().orElseThrow().running());
            awaitPasses(source, 6);
            VcpuControl vcpus = source.vcpus().orElseThrow();
            vcpus.pause();
            assertFalse(vcpus.running());
            if (!ring) {
                long dirty = log.syncInto(block, MemorySegment.ofArray(words));
                assertTrue(dirty > 0, "the sweep dirtied pages");
                log.stop();
            }
            for (SweepRamCheck check : source.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }

            byte[] sections = save(source.devices());
            MemorySegment.copy(block.memory(), 0, destination.ramBlocks().getFirst().memory(), 0, block.usedLength());
            load(destination.devices(), sections);
            long passes = source.passes();
            assertEquals(passes, destination.passes(), "the serial counters migrate");
            assertEquals(2, destination.startMarks());
            destination.vcpus().orElseThrow().resume();
            awaitPasses(destination, passes + 4);
            destination.vcpus().orElseThrow().pause();
            assertEquals(2, destination.startMarks(), "the destination continued, it did not start over");
            assertEquals(0, destination.otherOutput());
            for (SweepRamCheck check : destination.checkRam()) {
                assertTrue(check.consistent(), check.message());
            }
        }
    }

    @Test
    void aSectionFromAGuestWithOtherVcpusIsRefused() throws Exception {
        try (KvmGuest two = small(2).build(); KvmGuest one = small(1).buildIncoming()) {
            byte[] serial = save(List.of(two.devices().getLast()));
            IOException e = assertThrows(IOException.class, () -> load(List.of(one.devices().getLast()), serial));
            assertEquals("tern-sweep-serial: the source guest has 2 vCPUs, this one 1", e.getMessage());
        }
    }

    @Test
    void throttleIsClampedAndAppliedToEveryVcpu() {
        try (KvmGuest guest = small(2).build()) {
            VcpuControl vcpus = guest.vcpus().orElseThrow();
            vcpus.setThrottle(150);
            assertEquals(List.of(99, 99), guest.kvmVcpus().stream().map(KvmVcpu::throttle).toList());
            vcpus.setThrottle(0);
            assertEquals(0, guest.throttle());
            assertThrows(IllegalArgumentException.class, () -> vcpus.setThrottle(-1));
        }
    }

    @Test
    void closedGuestCannotResumeAndClosingTwiceIsHarmless() {
        KvmGuest guest = small(1).build();
        guest.close();
        guest.close();
        assertThrows(IllegalStateException.class, guest::start);
    }

    @Test
    void guestsLeaveNoDescriptorMappingOrThreadBehind() throws Exception {
        cycle(2);
        int fds = NativeResources.openDescriptors();
        List<String> maps = NativeResources.sharedMappings();
        cycle(12);
        assertEquals(fds, NativeResources.openDescriptors(), "entries in /proc/self/fd");
        List<String> after = NativeResources.sharedMappings();
        assertEquals(maps.size(), after.size(), () -> "new shared mappings:\n"
                + String.join("\n", after.stream().filter(l -> !maps.contains(l)).toList()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-vcpu-")).map(Thread::getName).toList());
    }

    private static void cycle(int count) throws Exception {
        DirtyTrackingMode[] modes = DirtyTrackingMode.values();
        for (int i = 0; i < count; i++) {
            KvmGuest.Builder sourceBuilder = small(2).dirtyTracking(modes[i % modes.length]);
            if (i % 2 == 1) {
                sourceBuilder.fileBackedRam();
            }
            try (KvmGuest source = sourceBuilder.build();
                    KvmGuest destination = small(2).dirtyTracking(modes[i % modes.length]).buildIncoming()) {
                if (source.dirtyTrackingMode() != DirtyTrackingMode.RING) {
                    source.dirtyLog().orElseThrow().start();
                }
                source.start();
                awaitPasses(source, 2);
                source.vcpus().orElseThrow().pause();
                load(destination.devices(), save(source.devices()));
                destination.vcpus().orElseThrow().resume();
            }
        }
    }

    private static byte[] save(List<DeviceSection> devices) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (DeviceSection d : devices) {
                d.save(out);
            }
        }
        return bytes.toByteArray();
    }

    private static void load(List<DeviceSection> devices, byte[] sections) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(sections))) {
            for (DeviceSection d : devices) {
                d.load(in, d.versionId());
            }
            assertEquals(-1, in.read(), "every byte read");
        }
    }
}
