package dev.tern.transport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A named pipe in a private temporary directory, through which an {@code exec:} command's
 * stream flows. Tern opens its end as a {@link FileChannel}, so gathering writes go from direct
 * buffers (views of guest memory) to the pipe without passing through a {@code byte[]}, which
 * {@link Process}'s streams would force.
 *
 * <p>Opening one end of a FIFO blocks until the other end is opened. {@link #open} can be
 * released from another thread: {@link #release()} when the child exits without opening its
 * end, {@link #close()} when the owner gives up. Both open the FIFO read-write (which Linux
 * never blocks on), satisfying the pending open; the opener closes that helper descriptor as
 * soon as its own open returns, so the stream then sees no peer (end of stream or
 * {@code EPIPE}).
 */
final class Fifo {
    private static final System.Logger LOG = System.getLogger(Fifo.class.getName());
    private static final File DEV_NULL = new File("/dev/null");
    /** The prefix of the temporary directories, which tests look for. */
    static final String DIRECTORY_PREFIX = "tern-exec-";

    private final Path directory;
    private final Path path;
    private final Object lock = new Object();
    private boolean opening;
    private boolean opened;
    private boolean closed;
    private FileChannel releaser;

    private Fifo(Path directory, Path path) {
        this.directory = directory;
        this.path = path;
    }

    /**
     * Makes a directory only the current user can enter and a FIFO in it.
     *
     * @return the FIFO
     * @throws IOException if either cannot be made
     */
    static Fifo create() throws IOException {
        Path directory = Files.createTempDirectory(DIRECTORY_PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path path = directory.resolve("stream");
        try {
            mkfifo(path);
        } catch (IOException e) {
            deleteQuietly(directory);
            throw e;
        }
        return new Fifo(directory, path);
    }

    private static void mkfifo(Path path) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder("mkfifo", "-m", "600", path.toString())
                    .redirectInput(DEV_NULL)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw TransportErrors.fifoFailed(path.toString(), TransportErrors.reason(e));
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        int status = ExecChild.awaitExit(process);
        if (status != 0) {
            throw TransportErrors.fifoFailed(path.toString(),
                    output.isEmpty() ? "mkfifo exited with status " + status : output);
        }
    }

    /**
     * The FIFO's path, for the child's redirection.
     *
     * @return the path
     */
    Path path() {
        return path;
    }

    /**
     * Opens Tern's end, blocking until the child opens the other end or the open is released.
     * Only one call is allowed.
     *
     * @param direction {@link StandardOpenOption#WRITE} or {@link StandardOpenOption#READ}
     * @return the channel
     * @throws AsynchronousCloseException if {@link #close()} was called before or during the open
     * @throws IOException if opening fails
     */
    FileChannel open(StandardOpenOption direction) throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new AsynchronousCloseException();
            }
            if (opening || opened) {
                throw new IllegalStateException("the FIFO " + path + " was already opened");
            }
            opening = true;
        }
        try {
            FileChannel channel = FileChannel.open(path, direction);
            synchronized (lock) {
                if (closed) {
                    channel.close();
                    throw new AsynchronousCloseException();
                }
            }
            return channel;
        } finally {
            synchronized (lock) {
                opening = false;
                opened = true;
                closeReleaser();
            }
        }
    }

    /** Lets a pending or future {@link #open} return although the child will not open its end. */
    void release() {
        synchronized (lock) {
            if (!opened && !closed) {
                openReleaser();
            }
        }
    }

    /**
     * Releases a pending {@link #open} (which then fails), and deletes the FIFO and its
     * directory. Channels already open stay usable. Idempotent.
     */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (opening) {
                openReleaser();
            } else {
                closeReleaser();
            }
        }
        deleteQuietly(path);
        deleteQuietly(directory);
    }

    private void openReleaser() {
        if (releaser == null) {
            try {
                // Read-write: Linux opens a FIFO this way without waiting for a peer.
                releaser = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "cannot release the FIFO " + path + ": " + e);
            }
        }
    }

    private void closeReleaser() {
        if (releaser != null) {
            try {
                releaser.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "closing the FIFO releaser: " + e);
            }
            releaser = null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "cannot delete " + p + ": " + e);
        }
    }
}
