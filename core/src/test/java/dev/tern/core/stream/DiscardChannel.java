package dev.tern.core.stream;

import java.nio.ByteBuffer;

/** A channel that consumes everything and allocates nothing (for writer tests that only count). */
public final class DiscardChannel implements dev.tern.transport.MigrationChannel {
    @Override
    public boolean readable() {
        return false;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public void writeFully(ByteBuffer... buffers) {
        for (ByteBuffer b : buffers) {
            b.position(b.limit());
        }
    }

    @Override
    public int read(ByteBuffer dst) {
        return -1;
    }

    @Override
    public void shutdown() {
    }

    @Override
    public String description() {
        return "discard";
    }

    @Override
    public void close() {
    }
}
