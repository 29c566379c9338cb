/**
 * Migration channels behind every URI scheme: {@link dev.tern.transport.Transports} opens a
 * {@link dev.tern.transport.MigrationChannel} for {@code migrate} or a
 * {@link dev.tern.transport.MigrationListener} for {@code migrate-incoming} from a parsed
 * {@link dev.tern.transport.uri.MigrationUri}.
 *
 * <p>Channels are blocking and move bytes between direct buffers (views of guest memory) and
 * the descriptor without copying them through {@code byte[]}: sockets, files and the FIFO of
 * {@code exec:} take gathering writes.
 */
package dev.tern.transport;
