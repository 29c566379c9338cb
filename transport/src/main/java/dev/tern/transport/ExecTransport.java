package dev.tern.transport;

import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * {@code exec:COMMAND} (QEMU's {@code migration/exec.c}): outgoing streams into the command's
 * standard input, incoming reads its standard output, both through a {@link Fifo}.
 */
final class ExecTransport {
    /**
     * How long a command may run on after its stream closed before it is terminated: long
     * enough for {@code gzip > file} to finish writing.
     */
    static final Duration GRACE = Duration.ofSeconds(5);

    private ExecTransport() {
    }

    /**
     * Starts the command and opens the FIFO it reads, blocking until it has opened its end.
     *
     * @param uri the URI
     * @param grace see {@link #GRACE}
     * @return the write-only channel
     * @throws IOException if the FIFO or the shell cannot be made or started
     */
    static ChannelBase connect(MigrationUri.Exec uri, Duration grace) throws IOException {
        String description = "exec:" + uri.command();
        Fifo fifo = Fifo.create();
        ExecChild child;
        try {
            child = ExecChild.start(uri.command(), fifo.path(), true);
        } catch (IOException e) {
            fifo.close();
            throw e;
        }
        // A shell that dies before opening its end would leave the open below waiting forever.
        child.onExit(fifo::release);
        FileChannel pipe;
        try {
            pipe = fifo.open(StandardOpenOption.WRITE);
        } catch (IOException e) {
            child.close(Duration.ZERO);
            fifo.close();
            throw e;
        }
        return new ExecMigrationChannel(pipe, child, fifo, true, description, grace);
    }

    /**
     * Starts the command at once, as {@code migrate-incoming} does; {@code accept()} opens the
     * FIFO it writes.
     *
     * @param uri the URI
     * @param grace see {@link #GRACE}
     * @return the single-channel listener
     * @throws IOException if the FIFO or the shell cannot be made or started
     */
    static MigrationListener listen(MigrationUri.Exec uri, Duration grace) throws IOException {
        String description = "exec:" + uri.command();
        Fifo fifo = Fifo.create();
        ExecChild child;
        try {
            child = ExecChild.start(uri.command(), fifo.path(), false);
        } catch (IOException e) {
            fifo.close();
            throw e;
        }
        child.onExit(fifo::release);
        return new SingleChannelListener(description, new SingleChannelListener.Source() {
            @Override
            public ChannelBase open() throws IOException {
                FileChannel pipe = fifo.open(StandardOpenOption.READ);
                return new ExecMigrationChannel(pipe, child, fifo, false, description, grace);
            }

            @Override
            public void abandon() {
                // Kill first: releasing the FIFO would otherwise let the command start writing.
                child.close(Duration.ZERO);
                fifo.close();
            }
        });
    }
}
