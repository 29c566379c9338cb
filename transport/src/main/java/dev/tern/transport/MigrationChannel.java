package dev.tern.transport;

/** One established migration connection. Blocking. Thread-safe for one reader thread + one writer
 *  thread at a time (the return path reads while the migration thread writes). */
public interface MigrationChannel extends java.io.Closeable {
    boolean readable(); boolean writable();
    /** Gathering write of all remaining bytes of all buffers; loops until done. */
    void writeFully(java.nio.ByteBuffer... buffers) throws java.io.IOException;
    /** Reads at least 1 byte into dst (blocking); returns -1 at end of stream. */
    int read(java.nio.ByteBuffer dst) throws java.io.IOException;
    /** Unblocks any thread blocked in read/write (QEMU's shutdown() on cancel); later I/O fails. Idempotent. */
    void shutdown();
    /** e.g. "tcp:127.0.0.1:4444", for messages. */
    String description();
    /** For sendfile later (issue 4): the underlying WritableByteChannel when it is a socket; optional. */
    default java.util.Optional<java.nio.channels.SocketChannel> socket() { return java.util.Optional.empty(); }
}
