package dev.tern.core.vm;

import dev.tern.api.MigrationException;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Channels registered by name for {@code fd:NAME} URIs (QEMU's {@code getfd}/{@code closefd}).
 * A channel is consumed by the migration that uses it; after that its name is unknown again.
 */
public final class FdRegistry implements AutoCloseable {
    private final Map<String, ByteChannel> channels = new HashMap<>();

    /**
     * QAPI {@code getfd}: registers a channel; an earlier channel of the same name is closed.
     *
     * @param name the name
     * @param channel the channel
     */
    public synchronized void add(String name, ByteChannel channel) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(channel, "channel");
        ByteChannel previous = channels.put(name, channel);
        closeQuietly(previous);
    }

    /**
     * Takes a channel out of the registry for a migration to use.
     *
     * @param name the name
     * @return the channel
     * @throws MigrationException if no channel has that name
     */
    public synchronized ByteChannel take(String name) {
        ByteChannel channel = channels.remove(name);
        if (channel == null) {
            throw notFound(name);
        }
        return channel;
    }

    /**
     * Takes a channel for an {@code fd:} URI, as the transport's {@code FdSource} asks.
     *
     * @param name the name
     * @return the channel, or null if none has that name
     */
    public synchronized ByteChannel takeOrNull(String name) {
        return channels.remove(name);
    }

    /**
     * QAPI {@code closefd}: closes and forgets a channel.
     *
     * @param name the name
     * @throws MigrationException if no channel has that name
     */
    public synchronized void close(String name) {
        ByteChannel channel = channels.remove(name);
        if (channel == null) {
            throw notFound(name);
        }
        closeQuietly(channel);
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(FdRegistry::closeQuietly);
        channels.clear();
    }

    private static MigrationException notFound(String name) {
        return MigrationException.generic("File descriptor named '" + name + "' not found");
    }

    private static void closeQuietly(ByteChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            System.getLogger(FdRegistry.class.getName())
                    .log(System.Logger.Level.DEBUG, "closing a registered channel failed", e);
        }
    }
}
