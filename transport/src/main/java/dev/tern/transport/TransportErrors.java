package dev.tern.transport;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Every message the transports report. Where QEMU 7.2 has a text ({@code util/qemu-sockets.c},
 * {@code io/channel-*.c}, {@code monitor/misc.c}) it is used verbatim, followed like QEMU's
 * {@code error_setg_errno} by {@code ": "} and the operating system's reason; where QEMU's
 * text does not say which address failed, Tern's names it.
 */
final class TransportErrors {

    private TransportErrors() {
    }

    /**
     * {@code inet_connect_addr} / {@code unix_connect_saddr}.
     *
     * @param address {@code host:port} with the host as written (no brackets), or the path
     * @param cause the failure
     * @return {@code Failed to connect to '<address>': <reason>}
     */
    static IOException connectFailed(String address, IOException cause) {
        return new IOException("Failed to connect to '" + address + "': " + reason(cause), cause);
    }

    /**
     * {@code inet_parse_connect_saddr} / {@code inet_listen_saddr}: {@code getaddrinfo} failed.
     *
     * @param host the host as written
     * @param port the port
     * @param reason {@code gai_strerror}'s text
     * @return {@code address resolution failed for <host>:<port>: <reason>}
     */
    static IOException resolutionFailed(String host, int port, String reason) {
        return new IOException("address resolution failed for " + host + ":" + port + ": " + reason);
    }

    /**
     * {@code inet_ai_family_from_address}: {@code ipv4=off,ipv6=off}.
     *
     * @return {@code Cannot disable IPv4 and IPv6 at same time}
     */
    static IOException bothFamiliesDisabled() {
        return new IOException("Cannot disable IPv4 and IPv6 at same time");
    }

    /**
     * QEMU 7.2's {@code inet_listen_saddr} refuses {@code keep-alive=on} (accepted from 10.1).
     *
     * @return {@code keep-alive option is not supported for passive sockets}
     */
    static IOException keepAliveOnListen() {
        return new IOException("keep-alive option is not supported for passive sockets");
    }

    /**
     * {@code unix_listen_saddr}'s text, also used for TCP where QEMU omits the address.
     *
     * @param address {@code host:port} or the socket path
     * @param cause the failure
     * @return {@code Failed to bind socket to <address>: <reason>}
     */
    static IOException bindFailed(String address, IOException cause) {
        return new IOException("Failed to bind socket to " + address + ": " + reason(cause), cause);
    }

    /**
     * {@code inet_listen_saddr}: every port of the range is taken; the range is named.
     *
     * @param host the host as written
     * @param from the first port tried
     * @param to the last port tried (below {@code from} for an empty {@code to=} range)
     * @param cause the last bind failure, or null if no port was tried
     * @return {@code Failed to find an available port for <host>:<from>[-<to>]: <reason>}
     */
    static IOException noAvailablePort(String host, int from, int to, IOException cause) {
        String range = from == to ? Integer.toString(from) : from + "-" + to;
        String why = cause == null ? "empty port range" : reason(cause);
        return new IOException("Failed to find an available port for " + host + ":" + range + ": " + why, cause);
    }

    /**
     * {@code unix_listen_saddr}: removing what was at the path before binding failed.
     *
     * @param path the socket path
     * @param cause the failure
     * @return {@code Failed to unlink socket <path>: <reason>}
     */
    static IOException unlinkFailed(String path, IOException cause) {
        return new IOException("Failed to unlink socket " + path + ": " + reason(cause), cause);
    }

    /**
     * {@code unix_listen_saddr} / {@code unix_connect_saddr}: the path does not fit
     * {@code sun_path}.
     *
     * @param path the socket path
     * @return {@code UNIX socket path '<path>' is too long}
     */
    static IOException unixPathTooLong(String path) {
        return new IOException("UNIX socket path '" + path + "' is too long");
    }

    /**
     * {@code monitor_get_fd}: no descriptor was passed under the name.
     *
     * @param name the name from {@code fd:NAME}
     * @return {@code File descriptor named '<name>' has not been found}
     */
    static IOException fdNotFound(String name) {
        return new IOException("File descriptor named '" + name + "' has not been found");
    }

    /**
     * A registered channel that cannot be switched to blocking mode (it is registered with a
     * selector).
     *
     * @param name the name from {@code fd:NAME}
     * @param cause the failure
     * @return {@code File descriptor named '<name>' cannot be put in blocking mode: <cause>}
     */
    static IOException fdNotBlocking(String name, Exception cause) {
        return new IOException("File descriptor named '" + name + "' cannot be put in blocking mode: " + cause, cause);
    }

    /**
     * {@code qio_channel_file_new_path}.
     *
     * @param path the file's path
     * @param cause the failure
     * @return {@code Unable to open <path>: <reason>}
     */
    static IOException openFailed(String path, IOException cause) {
        return new IOException("Unable to open " + path + ": " + reason(cause), cause);
    }

    /**
     * {@code qio_channel_file_seek}: the file cannot be positioned at the offset (it is beyond
     * 2^63 - 1, or the file is a pipe).
     *
     * @param offset the offset, unsigned
     * @param reason the operating system's reason
     * @return {@code Unable to seek to offset <offset> whence 0 in file: <reason>}
     */
    static IOException seekFailed(long offset, String reason) {
        return new IOException("Unable to seek to offset " + Long.toUnsignedString(offset)
                + " whence 0 in file: " + reason);
    }

    /**
     * The shell for an {@code exec:} command could not be started at all.
     *
     * @param command the command line
     * @param cause the failure
     * @return {@code Unable to start command '<command>': <reason>}
     */
    static IOException commandStartFailed(String command, IOException cause) {
        return new IOException("Unable to start command '" + command + "': " + reason(cause), cause);
    }

    /**
     * The private FIFO an {@code exec:} stream runs through could not be made.
     *
     * @param path the FIFO's path
     * @param why {@code mkfifo}'s complaint
     * @return {@code Unable to create FIFO <path>: <why>}
     */
    static IOException fifoFailed(String path, String why) {
        return new IOException("Unable to create FIFO " + path + ": " + why);
    }

    /**
     * {@code qio_channel_*_writev}.
     *
     * @param noun {@code socket}, {@code file}, {@code command} or {@code channel}
     * @param cause the failure
     * @param detail appended text (an exited command's status), or empty
     * @return {@code Unable to write to <noun>: <reason><detail>}
     */
    static IOException writeFailed(String noun, IOException cause, String detail) {
        return new IOException("Unable to write to " + noun + ": " + reason(cause) + detail, cause);
    }

    /**
     * {@code qio_channel_*_readv}.
     *
     * @param noun {@code socket}, {@code file}, {@code command} or {@code channel}
     * @param cause the failure
     * @param detail appended text (an exited command's status), or empty
     * @return {@code Unable to read from <noun>: <reason><detail>}
     */
    static IOException readFailed(String noun, IOException cause, String detail) {
        return new IOException("Unable to read from " + noun + ": " + reason(cause) + detail, cause);
    }

    /**
     * An {@code exec:} command that ended its output with a failure status.
     *
     * @param detail the command and how it exited
     * @return {@code Unable to read from command: <detail>}
     */
    static IOException commandFailed(String detail) {
        return new IOException("Unable to read from command: " + detail);
    }

    /**
     * I/O on a channel after (or cut short by) {@link MigrationChannel#shutdown()}.
     *
     * @param description the channel's description
     * @param cause what the interrupted operation reported, or null
     * @return {@code Channel <description> was shut down}
     */
    static IOException shutDown(String description, IOException cause) {
        return new IOException("Channel " + description + " was shut down", cause);
    }

    /**
     * I/O on a closed channel.
     *
     * @param description the channel's description
     * @return {@code Channel <description> is closed}
     */
    static IOException closed(String description) {
        return new IOException("Channel " + description + " is closed");
    }

    /**
     * A read on a channel without an input direction, or a write without an output direction.
     *
     * @param description the channel's description
     * @param direction {@code read from} or {@code written to}
     * @return {@code Channel <description> cannot be <direction>}
     */
    static IOException wrongDirection(String description, String direction) {
        return new IOException("Channel " + description + " cannot be " + direction);
    }

    /**
     * A second {@link MigrationListener#accept()} on a single-channel transport.
     *
     * @param description the channel's description
     * @return {@code <description> has a single channel, which was already accepted}
     */
    static IOException alreadyAccepted(String description) {
        return new IOException(description + " has a single channel, which was already accepted");
    }

    /**
     * {@link MigrationListener#accept()} on a closed listener, or cut short by its close.
     *
     * @return an {@link AsynchronousCloseException}
     */
    static AsynchronousCloseException listenerClosed() {
        return new AsynchronousCloseException();
    }

    /**
     * The operating system's reason as {@code strerror} words it. The JDK already uses those
     * words for socket and channel errors; file errors carry them in their type.
     *
     * @param e the failure
     * @return the reason, e.g. {@code Connection refused}
     */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String text = switch (e) {
            case NoSuchFileException x -> "No such file or directory";
            case AccessDeniedException x -> "Permission denied";
            case FileAlreadyExistsException x -> "File exists";
            case NotDirectoryException x -> "Not a directory";
            case DirectoryNotEmptyException x -> "Directory not empty";
            // "host: Name or service not known": the host is in the message already.
            case UnknownHostException x when x.getMessage() != null && x.getMessage().contains(": ") ->
                    x.getMessage().substring(x.getMessage().indexOf(": ") + 2);
            case UnknownHostException x -> "Name or service not known";
            default -> e.getMessage();
        };
        return text == null ? e.getClass().getSimpleName() : text;
    }
}
