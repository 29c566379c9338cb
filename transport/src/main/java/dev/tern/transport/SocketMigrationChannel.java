package dev.tern.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/** A connected TCP or Unix socket: {@code tcp:}, {@code unix:}, or a socket passed as {@code fd:}. */
final class SocketMigrationChannel extends ChannelBase {
    private static final System.Logger LOG = System.getLogger(SocketMigrationChannel.class.getName());

    private final SocketChannel socket;
    private final Optional<SocketChannel> socketView;

    /**
     * @param socket a connected socket in blocking mode, now owned by this channel
     * @param description what it is connected to
     */
    SocketMigrationChannel(SocketChannel socket, String description) {
        super(description, "socket", true, true);
        this.socket = socket;
        this.socketView = Optional.of(socket);
    }

    @Override
    public Optional<SocketChannel> socket() {
        return socketView;
    }

    @Override
    void transferOut(ByteBuffer[] buffers) throws IOException {
        gatherFully(socket, buffers);
    }

    @Override
    int transferIn(ByteBuffer dst) throws IOException {
        return readSome(socket, dst);
    }

    @Override
    void unblock() {
        // QEMU's qio_channel_shutdown(BOTH): the JDK signals the threads blocked in read and
        // write, and the descriptor stays valid until close().
        try {
            socket.shutdownInput();
        } catch (IOException | NotYetConnectedException e) {
            LOG.log(Level.DEBUG, () -> "shutdown of input of " + description() + ": " + e);
        }
        try {
            socket.shutdownOutput();
        } catch (ClosedChannelException e) {
            // Closed already: nothing left to unblock.
        } catch (IOException | NotYetConnectedException e) {
            LOG.log(Level.DEBUG, () -> "shutdown of output of " + description() + ": " + e);
        }
    }

    @Override
    void release() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "closing " + description() + ": " + e);
        }
    }
}
