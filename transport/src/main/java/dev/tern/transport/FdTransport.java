package dev.tern.transport;

import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;

/** {@code fd:NAME} (QEMU's {@code migration/fd.c}): a channel the client passed with {@code getfd}. */
final class FdTransport {

    private FdTransport() {
    }

    /**
     * Takes the named channel from the registry (consuming it, as QEMU does) and wraps it.
     *
     * @param uri the URI
     * @param fds the registry
     * @return the channel
     * @throws IOException if nothing is registered under the name, or it cannot block
     */
    static ChannelBase take(MigrationUri.Fd uri, FdSource fds) throws IOException {
        ByteChannel channel = fds.take(uri.name());
        if (channel == null) {
            throw TransportErrors.fdNotFound(uri.name());
        }
        String description = "fd:" + uri.name();
        try {
            if (channel instanceof SelectableChannel selectable && !selectable.isBlocking()) {
                selectable.configureBlocking(true);
            }
        } catch (IOException | IllegalBlockingModeException e) {
            channel.close();
            throw TransportErrors.fdNotBlocking(uri.name(), e);
        }
        return channel instanceof SocketChannel socket
                ? new SocketMigrationChannel(socket, description)
                : new PlainMigrationChannel(channel, description);
    }

    /**
     * Takes the channel when {@code migrate-incoming} runs, as QEMU does; {@code accept()}
     * returns it.
     *
     * @param uri the URI
     * @param fds the registry
     * @return the single-channel listener
     * @throws IOException as {@link #take}
     */
    static MigrationListener listen(MigrationUri.Fd uri, FdSource fds) throws IOException {
        ChannelBase channel = take(uri, fds);
        return new SingleChannelListener(channel.description(), new SingleChannelListener.Source() {
            @Override
            public ChannelBase open() {
                return channel;
            }

            @Override
            public void abandon() {
                channel.close();
            }
        });
    }
}
