package dev.tern.transport;

import java.nio.channels.ByteChannel;

/**
 * Where {@code fd:NAME} channels come from: the engine's registry of descriptors a client
 * passed with QMP {@code getfd}. Taking a channel transfers its ownership to the migration
 * channel, which closes it, as QEMU consumes the descriptor.
 *
 * <p>A {@link java.nio.channels.SocketChannel} behaves like a {@code tcp:} or {@code unix:}
 * socket (shutdown, gathering writes, {@link MigrationChannel#socket()}); any other
 * {@link ByteChannel} is written buffer by buffer and closed to unblock it.
 */
@FunctionalInterface
public interface FdSource {

    /**
     * Removes the channel registered under {@code name} and returns it.
     *
     * @param name the name from the URI, as written ({@code fd:NAME}); on the destination
     *     QEMU also accepts a descriptor number, which the registry may map
     * @return the channel, or null if nothing is registered under that name
     */
    ByteChannel take(String name);
}
