package dev.tern.core;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.RamBlock;
import java.lang.foreign.MemorySegment;

/**
 * The dirty log of a guest that does not run during its migration: nothing writes its RAM, so
 * after the first full pass there is never a dirty page.
 */
enum StoppedGuestLog implements DirtyLog {
    INSTANCE;

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }

    @Override
    public long syncInto(RamBlock block, MemorySegment bitmap) {
        return 0;
    }
}
