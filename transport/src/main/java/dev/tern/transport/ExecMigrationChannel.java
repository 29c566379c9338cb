package dev.tern.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * An {@code exec:} stream: Tern's end of the FIFO to or from the command. Errors name the
 * command and how it exited; the end of a stream from a command that failed is an error.
 */
final class ExecMigrationChannel extends ChannelBase {
    private static final System.Logger LOG = System.getLogger(ExecMigrationChannel.class.getName());

    private final FileChannel pipe;
    private final ExecChild child;
    private final Fifo fifo;
    private final Duration grace;

    /**
     * @param pipe Tern's end of the FIFO, owned by this channel
     * @param child the command, reaped on close
     * @param fifo the FIFO, deleted on close
     * @param outgoing true if Tern writes, false if it reads
     * @param description the URI
     * @param grace how long the command may run on after its stream closes
     */
    ExecMigrationChannel(FileChannel pipe, ExecChild child, Fifo fifo, boolean outgoing, String description,
            Duration grace) {
        super(description, "command", !outgoing, outgoing);
        this.pipe = pipe;
        this.child = child;
        this.fifo = fifo;
        this.grace = grace;
    }

    @Override
    void transferOut(ByteBuffer[] buffers) throws IOException {
        gatherFully(pipe, buffers);
    }

    @Override
    int transferIn(ByteBuffer dst) throws IOException {
        return readSome(pipe, dst);
    }

    @Override
    int endOfStream() throws IOException {
        OptionalInt status = child.exitStatus();
        if (status.isPresent() && status.getAsInt() != 0) {
            throw TransportErrors.commandFailed(child.describeExit(status.getAsInt()));
        }
        return -1;
    }

    @Override
    String failureDetail() {
        return child.exitDetail();
    }

    @Override
    void unblock() {
        closePipe();
    }

    @Override
    void release() {
        // The command sees end of stream (or EPIPE) first, so it can finish before the grace ends.
        closePipe();
        child.close(grace);
        fifo.close();
    }

    private void closePipe() {
        try {
            pipe.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing the FIFO of " + description() + ": " + e);
        }
    }
}
