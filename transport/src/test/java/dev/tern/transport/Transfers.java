package dev.tern.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** Moving test data through channels, and running the other end on another thread. */
final class Transfers {
    static final int MIB = 1 << 20;

    private Transfers() {
    }

    /** Reproducible bytes that no off-by-one shift can match. */
    static byte[] pattern(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /**
     * Sends {@code data} as the engine sends pages: each record a gathering write of a small
     * direct "header" buffer and a direct "page" view, both slices of one direct buffer.
     */
    static void send(MigrationChannel channel, byte[] data) throws IOException {
        ByteBuffer all = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer[] record = new ByteBuffer[2];
        int record4k = 4096 + 9;
        for (int at = 0; at < data.length; at += record4k) {
            int end = Math.min(data.length, at + record4k);
            int split = Math.min(end, at + 9);
            record[0] = all.slice(at, split - at);
            record[1] = all.slice(split, end - split);
            channel.writeFully(record);
        }
    }

    /** Reads exactly {@code size} bytes into a direct buffer. */
    static byte[] receive(MigrationChannel channel, int size) throws IOException {
        ByteBuffer into = ByteBuffer.allocateDirect(size);
        while (into.hasRemaining()) {
            // Small windows, as a reader filling page views does.
            into.limit(Math.min(size, into.position() + 65536));
            if (channel.read(into) < 0) {
                throw new IOException("end of stream after " + into.position() + " of " + size + " bytes");
            }
            into.limit(size);
        }
        byte[] out = new byte[size];
        into.flip().get(out);
        return out;
    }

    /** Sends on {@code out}, receives on {@code in}, compares. */
    static void roundTrip(MigrationChannel out, MigrationChannel in, int size, long seed) throws Exception {
        byte[] data = pattern(size, seed);
        Future<Void> sender = background(() -> {
            send(out, data);
            return null;
        });
        assertArrayEquals(data, receive(in, size));
        await(sender);
    }

    /** Asserts the channel is at end of stream. */
    static void assertEndOfStream(MigrationChannel channel) throws IOException {
        assertEquals(-1, channel.read(ByteBuffer.allocateDirect(16)));
    }

    static <T> Future<T> background(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread.ofPlatform().daemon().name("transfer-peer").start(future);
        return future;
    }

    static <T> T await(Future<T> future) throws Exception {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
