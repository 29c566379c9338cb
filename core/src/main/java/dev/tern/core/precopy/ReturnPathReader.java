package dev.tern.core.precopy;

import dev.tern.core.stream.ReturnPathCodec;
import dev.tern.core.stream.ReturnPathMessage;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.vm.Uninterruptibly;
import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The source's return-path thread ({@code source_return_path_thread}, spec 8.6 and 14.7): reads
 * the destination's messages from the reverse direction of the main channel until {@code SHUT}.
 * A precopy migration uses it to learn, before it declares success, that the destination loaded
 * everything: a non-zero {@code SHUT} status, a broken or malformed return path fails the
 * completion.
 */
final class ReturnPathReader {
    private static final System.Logger LOG = System.getLogger(ReturnPathReader.class.getName());

    private final StreamReader in;
    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String error;
    private volatile boolean closing;

    private ReturnPathReader(MigrationChannel channel) {
        this.in = new StreamReader(channel);
        this.thread = Thread.ofPlatform().name("tern-return-path").daemon().unstarted(this::run);
    }

    /**
     * Starts reading the return path of a channel.
     *
     * @param channel the main channel, readable
     * @return the reader
     */
    static ReturnPathReader start(MigrationChannel channel) {
        if (!channel.readable()) {
            throw new IllegalStateException("return-path needs a bidirectional channel, but "
                    + channel.description() + " carries the stream one way only");
        }
        ReturnPathReader reader = new ReturnPathReader(channel);
        reader.thread.start();
        return reader;
    }

    private void run() {
        try {
            while (true) {
                ReturnPathMessage message = ReturnPathCodec.read(in);
                switch (message) {
                    case ReturnPathMessage.Shut shut -> {
                        if (shut.status() != 0) {
                            error = "the destination failed to load the migration (return path SHUT status "
                                    + shut.status() + ")";
                        }
                        return;
                    }
                    case ReturnPathMessage.Pong pong -> LOG.log(System.Logger.Level.DEBUG, "return path PONG {0}",
                            pong.value());
                    default -> {
                        // Page requests and resume messages belong to postcopy, which this migration does not run.
                        error = "RP: unexpected " + message + " during a precopy migration";
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                error = "return path failed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
        } finally {
            ended.countDown();
        }
    }

    /**
     * The first error, if any.
     *
     * @return the message
     */
    Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Waits for the destination's {@code SHUT} at completion.
     *
     * @throws IllegalStateException if the return path failed or the destination reported an error
     */
    void awaitShut() {
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the destination's SHUT", e);
        }
        error().ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /** Marks the reader as closing: a read error from here on is the channel going away. */
    void close() {
        closing = true;
    }

    /** Waits for the thread to end (the channel has been closed). */
    void join() {
        Uninterruptibly.join(thread);
    }
}
