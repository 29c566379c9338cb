package dev.tern.transport;

import dev.tern.api.info.SocketAddress;
import java.io.IOException;
import java.util.List;

/**
 * The "listener" of a transport with exactly one channel ({@code fd:}, {@code exec:},
 * {@code file:}): {@link #accept()} hands that channel out once; closing the listener before
 * then releases it.
 */
final class SingleChannelListener implements MigrationListener {

    /** Produces the one channel, and releases it if nobody takes it. */
    interface Source {
        /**
         * Returns the channel, possibly after blocking (an {@code exec:} FIFO waits for the
         * command); {@link #abandon()} from another thread must make it return or fail.
         *
         * @return the channel
         * @throws IOException if it cannot be opened
         */
        ChannelBase open() throws IOException;

        /** Releases everything the channel would have owned; must not throw. */
        void abandon();
    }

    private final String description;
    private final Source source;
    private final Object lock = new Object();
    private boolean taken;
    private boolean handedOut;
    private boolean closed;

    /**
     * @param description the URI, for messages
     * @param source the channel's source
     */
    SingleChannelListener(String description, Source source) {
        this.description = description;
        this.source = source;
    }

    /** A transport that does not listen on a socket reports no address, as QEMU does. */
    @Override
    public List<SocketAddress> addresses() {
        return List.of();
    }

    @Override
    public MigrationChannel accept() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw TransportErrors.listenerClosed();
            }
            if (taken) {
                throw TransportErrors.alreadyAccepted(description);
            }
            taken = true;
        }
        ChannelBase channel;
        try {
            channel = source.open();
        } catch (IOException e) {
            synchronized (lock) {
                if (closed) {
                    throw TransportErrors.listenerClosed();
                }
            }
            throw e;
        }
        synchronized (lock) {
            if (!closed) {
                handedOut = true;
                return channel;
            }
        }
        channel.close();
        throw TransportErrors.listenerClosed();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (handedOut) {
                return;
            }
        }
        source.abandon();
    }
}
