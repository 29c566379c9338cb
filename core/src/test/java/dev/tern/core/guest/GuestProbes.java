package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.guest.RamBlock;
import dev.tern.core.dirty.DirtyBitmap;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Looks at a reference guest from the outside, the way a test or the engine would. */
final class GuestProbes {
    /** Generous: this bounds a liveness wait on a loaded machine, it does not measure speed. */
    private static final long PATIENCE_NANOS = 30_000_000_000L;

    private GuestProbes() {
    }

    /** Copies of every block's memory, in RAM-list order. */
    static List<MemorySegment> snapshot(ReferenceGuest guest) {
        List<MemorySegment> copies = new ArrayList<>();
        for (RamBlock block : guest.ramBlocks()) {
            copies.add(MemorySegment.ofArray(new byte[(int) block.usedLength()]).copyFrom(block.memory()));
        }
        return copies;
    }

    /** The pages where a block's memory differs from a copy. */
    static List<Long> changedPages(RamBlock block, MemorySegment copy) {
        List<Long> pages = new ArrayList<>();
        for (long offset = 0; offset < block.usedLength(); offset += GuestMemory.PAGE_SIZE) {
            if (MemorySegment.mismatch(block.memory(), offset, offset + GuestMemory.PAGE_SIZE,
                    copy, offset, offset + GuestMemory.PAGE_SIZE) >= 0) {
                pages.add(offset / GuestMemory.PAGE_SIZE);
            }
        }
        return pages;
    }

    /** Syncs a block's log into a fresh engine-side bitmap. */
    static DirtyBitmap sync(ReferenceGuest guest, RamBlock block) {
        DirtyBitmap bitmap = new DirtyBitmap(block.usedLength() / GuestMemory.PAGE_SIZE);
        guest.softwareDirtyLog().syncInto(block, bitmap.words());
        return bitmap;
    }

    /** Live threads named like vCPUs. */
    static long vcpuThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tern-vcpu-") && t.isAlive())
                .count();
    }

    /** Waits until a condition holds; fails after a long time, never on speed alone. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting: " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting: " + what);
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
