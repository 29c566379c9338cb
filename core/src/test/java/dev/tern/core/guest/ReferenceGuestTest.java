package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Building, describing and closing the reference guest. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ReferenceGuestTest {

    @Test
    void defaultsDescribeAOneVcpuIdleGuest() {
        try (ReferenceGuest guest = ReferenceGuest.builder().ramBlock("pc.ram", 64 * 4096).build()) {
            assertEquals("tern-reference", guest.machineType());
            assertEquals(Optional.empty(), guest.uuid());
            assertEquals(new Workload.Idle(), guest.workload());
            assertEquals(1, guest.referenceVcpus().vcpuCount());
            assertFalse(guest.referenceVcpus().running(), "a built guest waits for start()");
            assertEquals(0, GuestProbes.vcpuThreads(), "no thread before start()");
            assertSame(guest.softwareDirtyLog(), guest.dirtyLog().orElseThrow());
            assertSame(guest.referenceVcpus(), guest.vcpus().orElseThrow());
            assertEquals(1, guest.devices().size());
            assertEquals(List.of(), guest.migrationBlockers());
            assertEquals(List.of(new VcpuProgress(0, 0)), guest.progress());
        }
    }

    @Test
    void blocksKeepTheirOrderAndStartZeroedAndPageAligned() {
        UUID uuid = UUID.fromString("11111111-2222-3333-4444-555555555555");
        try (ReferenceGuest guest = ReferenceGuest.builder()
                .machineType("none")
                .uuid(uuid)
                .ramBlock("pc.ram", 8 * 4096)
                .ramBlock("vga.vram", 4096)
                .ramBlock("ram-node1", 3 * 4096)
                .vcpus(4)
                .build()) {
            assertEquals("none", guest.machineType());
            assertEquals(Optional.of(uuid), guest.uuid());
            assertEquals(4, guest.referenceVcpus().vcpuCount());
            List<RamBlock> blocks = guest.ramBlocks();
            assertEquals(List.of("pc.ram", "vga.vram", "ram-node1"), blocks.stream().map(RamBlock::name).toList());
            assertEquals(List.of(8 * 4096L, 4096L, 3 * 4096L), blocks.stream().map(RamBlock::usedLength).toList());
            for (RamBlock block : blocks) {
                assertEquals(4096, block.pageSize());
                assertFalse(block.shared());
                assertEquals(block.usedLength(), block.memory().byteSize());
                assertEquals(0, block.memory().address() % 4096, block.name() + " is not page aligned");
                assertEquals(-1, MemorySegment.mismatch(block.memory(), 0, block.usedLength(),
                        MemorySegment.ofArray(new byte[(int) block.usedLength()]), 0, block.usedLength()),
                        block.name() + " is not zeroed");
            }
        }
    }

    @Test
    void builderRejectsWhatNoGuestCouldHave() {
        ReferenceGuest.Builder builder = ReferenceGuest.builder();
        assertEquals("the guest has no RAM block",
                assertThrows(IllegalStateException.class, builder::build).getMessage());
        assertEquals("RAM block \"odd\" size 4095 is not a positive multiple of 4096",
                assertThrows(IllegalArgumentException.class, () -> builder.ramBlock("odd", 4095)).getMessage());
        assertEquals("RAM block \"none\" size 0 is not a positive multiple of 4096",
                assertThrows(IllegalArgumentException.class, () -> builder.ramBlock("none", 0)).getMessage());
        assertEquals("RAM block name \"\" must be 1 to 255 bytes of UTF-8",
                assertThrows(IllegalArgumentException.class, () -> builder.ramBlock("", 4096)).getMessage());
        String tooLong = "é".repeat(128);
        assertEquals("RAM block name \"" + tooLong + "\" must be 1 to 255 bytes of UTF-8",
                assertThrows(IllegalArgumentException.class, () -> builder.ramBlock(tooLong, 4096)).getMessage());
        builder.ramBlock("é".repeat(127), 4096);
        builder.ramBlock("pc.ram", 4096);
        assertEquals("RAM block \"pc.ram\" is already defined",
                assertThrows(IllegalArgumentException.class, () -> builder.ramBlock("pc.ram", 8192)).getMessage());
        assertEquals("vCPU count 0 is less than 1",
                assertThrows(IllegalArgumentException.class, () -> builder.vcpus(0)).getMessage());
        assertEquals("machine type is empty",
                assertThrows(IllegalArgumentException.class, () -> builder.machineType("")).getMessage());
        assertThrows(NullPointerException.class, () -> builder.workload(null));
        builder.build().close();
    }

    @Test
    void eachBuildMakesAnIndependentGuest() {
        ReferenceGuest.Builder builder = ReferenceGuest.builder().ramBlock("pc.ram", 4096);
        try (ReferenceGuest a = builder.build(); ReferenceGuest b = builder.build()) {
            a.ramBlocks().get(0).memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertEquals(0, b.ramBlocks().get(0).memory().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void closeEndsEveryVcpuThreadAndFreesTheMemory() {
        ReferenceGuest guest = ReferenceGuest.builder()
                .ramBlock("pc.ram", 1L << 20)
                .ramBlock("extra", 1L << 20)
                .vcpus(3)
                .workload(Workload.uniformRandom(0))
                .build();
        guest.softwareDirtyLog().start();
        guest.start();
        assertEquals(3, GuestProbes.vcpuThreads());
        GuestProbes.await(() -> guest.pagesWritten() > 0, "the guest to write");
        MemorySegment ram = guest.ramBlocks().get(0).memory();

        guest.close();

        assertEquals(0, GuestProbes.vcpuThreads());
        assertFalse(ram.scope().isAlive(), "guest RAM still allocated");
        assertThrows(IllegalStateException.class, () -> ram.get(ValueLayout.JAVA_BYTE, 0));
        assertFalse(guest.referenceVcpus().running());
        guest.close();
    }

    @Test
    void closeWorksOnAPausedGuestAndOnOneNeverStarted() {
        ReferenceGuest paused = ReferenceGuest.builder().ramBlock("pc.ram", 4096).vcpus(2)
                .workload(Workload.uniformRandom(1000)).build();
        paused.start();
        paused.referenceVcpus().pause();
        paused.close();
        ReferenceGuest neverStarted = ReferenceGuest.builder().ramBlock("pc.ram", 4096).build();
        neverStarted.close();
        assertEquals(0, GuestProbes.vcpuThreads());
        assertTrue(!neverStarted.ramBlocks().get(0).memory().scope().isAlive());
    }
}
