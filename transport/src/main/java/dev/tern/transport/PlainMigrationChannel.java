package dev.tern.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;

/**
 * An {@code fd:} channel that is not a socket: whatever {@link ByteChannel} the registry held.
 * It is written with gathering writes when it can gather, else buffer by buffer, and closed to
 * unblock it (an {@link java.nio.channels.InterruptibleChannel} wakes its blocked threads).
 */
final class PlainMigrationChannel extends ChannelBase {
    private static final System.Logger LOG = System.getLogger(PlainMigrationChannel.class.getName());

    private final ByteChannel channel;
    private final GatheringByteChannel gathering;

    /**
     * @param channel the channel, blocking, now owned by this channel
     * @param description the URI
     */
    PlainMigrationChannel(ByteChannel channel, String description) {
        super(description, "channel", true, true);
        this.channel = channel;
        this.gathering = channel instanceof GatheringByteChannel g ? g : null;
    }

    @Override
    void transferOut(ByteBuffer[] buffers) throws IOException {
        if (gathering != null) {
            gatherFully(gathering, buffers);
        } else {
            writeEach(channel, buffers);
        }
    }

    @Override
    int transferIn(ByteBuffer dst) throws IOException {
        return readSome(channel, dst);
    }

    @Override
    void unblock() {
        release();
    }

    @Override
    void release() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "closing " + description() + ": " + e);
        }
    }
}
