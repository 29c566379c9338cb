package dev.tern.core;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A small guest for control-plane tests: one RAM block, optional blockers and dirty log. */
final class TestGuest implements Guest, AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final RamBlock ram;
    final List<String> blockers = new ArrayList<>();
    final List<String> dirtyLogCalls = new ArrayList<>();
    boolean hasDirtyLog;

    TestGuest(long bytes) {
        ram = RamBlock.of("pc.ram", arena.allocate(bytes, 4096));
    }

    @Override
    public String machineType() {
        return "none";
    }

    @Override
    public List<RamBlock> ramBlocks() {
        return List.of(ram);
    }

    @Override
    public List<String> migrationBlockers() {
        return List.copyOf(blockers);
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        if (!hasDirtyLog) {
            return Optional.empty();
        }
        return Optional.of(new DirtyLog() {
            @Override
            public void start() {
                dirtyLogCalls.add("start");
            }

            @Override
            public void stop() {
                dirtyLogCalls.add("stop");
            }

            @Override
            public long syncInto(RamBlock block, MemorySegment bitmap) {
                dirtyLogCalls.add("sync");
                return 0;
            }
        });
    }

    RamBlock ram() {
        return ram;
    }

    @Override
    public void close() {
        arena.close();
    }
}
