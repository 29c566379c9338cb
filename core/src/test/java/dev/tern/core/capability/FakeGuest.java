package dev.tern.core.capability;

import dev.tern.api.guest.Guest;
import dev.tern.api.guest.PostcopySupport;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.SegmentRamBlock;
import dev.tern.api.guest.WriteProtection;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A guest for the capability rules: RAM blocks, and optional postcopy and write-protection support. */
record FakeGuest(List<RamBlock> ramBlocks, Optional<PostcopySupport> postcopy,
        Optional<WriteProtection> writeProtection) implements Guest {

    /** One private 4 KiB block, working postcopy, working write protection. */
    static FakeGuest capable() {
        return new FakeGuest(List.of(block("pc.ram", false)), Optional.of(new FakePostcopy(Optional.empty())),
                Optional.of(new FakeWriteProtection(true, Set.of())));
    }

    static RamBlock block(String name, boolean shared) {
        return new SegmentRamBlock(name, MemorySegment.ofArray(new byte[4096]), 4096, 4096, shared);
    }

    FakeGuest withBlocks(RamBlock... blocks) {
        return new FakeGuest(List.of(blocks), postcopy, writeProtection);
    }

    FakeGuest withPostcopy(Optional<PostcopySupport> support) {
        return new FakeGuest(ramBlocks, support, writeProtection);
    }

    FakeGuest withWriteProtection(Optional<WriteProtection> wp) {
        return new FakeGuest(ramBlocks, postcopy, wp);
    }

    @Override
    public String machineType() {
        return "none";
    }

    /** Postcopy whose host probe answers a fixed reason and counts how often it was asked. */
    static final class FakePostcopy implements PostcopySupport {
        private final Optional<String> reason;
        int probes;

        FakePostcopy(Optional<String> reason) {
            this.reason = reason;
        }

        @Override
        public Optional<String> unsupportedReason() {
            probes++;
            return reason;
        }

        @Override
        public void discard(RamBlock block, long offset, long length) {
            throw new AssertionError("the capability rules only probe");
        }

        @Override
        public void arm(RamBlock block, PageFaultHandler handler) {
            throw new AssertionError("the capability rules only probe");
        }

        @Override
        public void place(RamBlock block, long offset, MemorySegment page) {
            throw new AssertionError("the capability rules only probe");
        }

        @Override
        public void disarm(RamBlock block) {
            throw new AssertionError("the capability rules only probe");
        }
    }

    /** Write protection with a fixed host answer and a set of block names it cannot protect. */
    record FakeWriteProtection(boolean hostSupported, Set<String> unsupportedBlocks) implements WriteProtection {
        @Override
        public boolean supports(RamBlock block) {
            return !unsupportedBlocks.contains(block.name());
        }

        @Override
        public void protect(RamBlock block, WriteFaultHandler handler) {
            throw new AssertionError("the capability rules only probe");
        }

        @Override
        public void unprotect(RamBlock block, long offset, long length) {
            throw new AssertionError("the capability rules only probe");
        }
    }
}
