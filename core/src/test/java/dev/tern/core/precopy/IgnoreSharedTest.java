package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStatus;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 section 5: x-ignore-shared (spec 14.4). Each guest gets a second, shared block that
 * no vCPU writes; the source's is full of data, the destination's is zero, so a page of it
 * that travelled would show.
 */
@Timeout(120)
class IgnoreSharedTest {
    private static final long SHARED = 16L << 20;
    private static final long GPA = 0x1_0000_0000L;

    /** A shared block at a guest-physical address (SegmentRamBlock has none). */
    private record SharedBlock(String name, MemorySegment memory, OptionalLong guestPhysicalAddress)
            implements RamBlock {
        @Override
        public long usedLength() {
            return memory.byteSize();
        }

        @Override
        public boolean shared() {
            return true;
        }
    }

    private static RamBlock shared(Arena arena, byte fill, long gpa) {
        MemorySegment memory = arena.allocate(SHARED, 4096);
        memory.fill(fill);
        return new SharedBlock("shared.mem", memory, OptionalLong.of(gpa));
    }

    private static GuestPair pair(RamBlock srcShared, RamBlock dstShared) {
        return GuestPair.create(GuestPair.sweeping(), g -> ExtendedGuest.withBlock(g, srcShared),
                GuestPair.sweeping(), g -> ExtendedGuest.withBlock(g, dstShared));
    }

    @Test
    void sharedBlockIsListedButNotSent() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock srcShared = shared(arena, (byte) 0x5a, GPA);
            RamBlock dstShared = shared(arena, (byte) 0, GPA);
            try (GuestPair pair = pair(srcShared, dstShared)) {
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.destination().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.source().migrate(pair.listenTcp());
                MigrationInfo done = pair.assertCompleted();
                MigrationStats ram = done.ram().orElseThrow();
                assertEquals(GuestPair.RAM, ram.total(), "total excludes the shared block");
                assertEquals(-1, dstShared.memory().mismatch(MemorySegment.ofArray(new byte[(int) SHARED])),
                        "not one byte of the shared block was sent");
            }
        }
    }

    @Test
    void withoutTheCapabilityTheSharedBlockIsSentLikeAnyOther() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock srcShared = shared(arena, (byte) 0x5a, GPA);
            RamBlock dstShared = shared(arena, (byte) 0, GPA);
            try (GuestPair pair = pair(srcShared, dstShared)) {
                pair.source().migrate(pair.listenTcp());
                MigrationStats ram = pair.assertCompleted().ram().orElseThrow();
                assertEquals(GuestPair.RAM + SHARED, ram.total());
                assertEquals(-1, MemorySegment.mismatch(srcShared.memory(), 0, SHARED, dstShared.memory(), 0, SHARED));
            }
        }
    }

    @Test
    void onOnlyAtTheSourceFailsTheDestination() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            try (GuestPair pair = pair(shared(arena, (byte) 1, GPA), shared(arena, (byte) 0, GPA))) {
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED,
                        MigrationCapability.RETURN_PATH));
                pair.source().migrate(pair.listenTcp());
                pair.assertDestinationNotStarted();
                assertEquals("Capability x-ignore-shared is off, but received capability is on",
                        GuestPair.errorOf(pair.destination()));
                assertEquals(MigrationStatus.FAILED, GuestPair.awaitFinal(pair.source()).status().orElseThrow());
                pair.assertSourceSurvived();
            }
        }
    }

    @Test
    void onOnlyAtTheDestinationFailsTheDestination() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            try (GuestPair pair = pair(shared(arena, (byte) 1, GPA), shared(arena, (byte) 0, GPA))) {
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.RETURN_PATH));
                pair.destination().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.source().migrate(pair.listenTcp());
                pair.assertDestinationNotStarted();
                assertEquals("Capability x-ignore-shared is on, but received capability is off",
                        GuestPair.errorOf(pair.destination()));
                assertEquals(MigrationStatus.FAILED, GuestPair.awaitFinal(pair.source()).status().orElseThrow());
                pair.assertSourceSurvived();
            }
        }
    }

    @Test
    void sharedBlockAtAnotherAddressIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            try (GuestPair pair = pair(shared(arena, (byte) 1, GPA), shared(arena, (byte) 0, 2 * GPA))) {
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED,
                        MigrationCapability.RETURN_PATH));
                pair.destination().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.source().migrate(pair.listenTcp());
                pair.assertDestinationNotStarted();
                assertEquals("Mismatched GPAs for block shared.mem " + GPA + "!= " + 2 * GPA,
                        GuestPair.errorOf(pair.destination()));
                assertEquals(MigrationStatus.FAILED, GuestPair.awaitFinal(pair.source()).status().orElseThrow());
                pair.assertSourceSurvived();
            }
        }
    }

    @Test
    void destinationCapabilitiesCountWhenTheStreamArrives() throws Exception {
        // QEMU reads the destination's capabilities while loading (spec 16 item 10), so a
        // client may set them after migrate-incoming, before the source connects.
        try (Arena arena = Arena.ofShared()) {
            RamBlock dstShared = shared(arena, (byte) 0, GPA);
            try (GuestPair pair = pair(shared(arena, (byte) 0x5a, GPA), dstShared)) {
                String uri = pair.listenTcp();
                pair.destination().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.source().setCapabilities(GuestPair.on(MigrationCapability.X_IGNORE_SHARED));
                pair.source().migrate(uri);
                pair.assertCompleted();
                assertEquals(-1, dstShared.memory().mismatch(MemorySegment.ofArray(new byte[(int) SHARED])));
            }
        }
    }
}
