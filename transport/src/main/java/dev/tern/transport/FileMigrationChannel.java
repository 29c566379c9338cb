package dev.tern.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A {@code file:} stream: one direction of a {@link FileChannel}, written with gathering writes
 * and unblocked by closing it (which the JDK turns into a signal to blocked threads, so a
 * {@code file:} path naming a FIFO is covered too).
 */
final class FileMigrationChannel extends ChannelBase {
    private static final System.Logger LOG = System.getLogger(FileMigrationChannel.class.getName());

    private final FileChannel file;

    /**
     * @param file the open file, positioned where the stream starts, now owned by this channel
     * @param description the URI
     * @param outgoing true to write, false to read
     */
    FileMigrationChannel(FileChannel file, String description, boolean outgoing) {
        super(description, "file", !outgoing, outgoing);
        this.file = file;
    }

    @Override
    void transferOut(ByteBuffer[] buffers) throws IOException {
        gatherFully(file, buffers);
    }

    @Override
    int transferIn(ByteBuffer dst) throws IOException {
        return readSome(file, dst);
    }

    @Override
    void unblock() {
        release();
    }

    @Override
    void release() {
        try {
            file.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "closing " + description() + ": " + e);
        }
    }
}
