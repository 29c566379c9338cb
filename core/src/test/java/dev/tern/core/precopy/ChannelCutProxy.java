package dev.tern.core.precopy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy for a migration with several connections (main channel and multifd channels):
 * every connection is forwarded in the order it arrives, and connection number {@code victim}
 * (0 is the main channel) is cut after {@code cutAfter} bytes from the source.
 */
final class ChannelCutProxy implements AutoCloseable {
    private static final int BUFFER = 64 << 10;

    private final ServerSocketChannel server;
    private final int destinationPort;
    private final int victim;
    private final long cutAfter;
    private final List<SocketChannel> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean faulted;

    ChannelCutProxy(int destinationPort, int victim, long cutAfter) throws IOException {
        this.destinationPort = destinationPort;
        this.victim = victim;
        this.cutAfter = cutAfter;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = Thread.ofPlatform().name("proxy-accept").daemon().start(this::accept);
    }

    String uri() throws IOException {
        return "tcp:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    boolean faulted() {
        return faulted;
    }

    private void accept() {
        try {
            for (int n = 0;; n++) {
                SocketChannel src = server.accept();
                SocketChannel dst = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        destinationPort));
                long limit = n == victim ? cutAfter : -1;
                synchronized (sockets) {
                    sockets.add(src);
                    sockets.add(dst);
                    threads.add(Thread.ofPlatform().name("proxy-down").daemon().start(() -> pump(dst, src, -1)));
                    threads.add(Thread.ofPlatform().name("proxy-up").daemon().start(() -> pump(src, dst, limit)));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(SocketChannel from, SocketChannel to, long limit) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        long position = 0;
        try {
            while (true) {
                buf.clear();
                if (limit >= 0) {
                    if (position == limit) {
                        faulted = true;
                        from.close();
                        to.close();
                        return;
                    }
                    buf.limit((int) Math.min(BUFFER, limit - position));
                }
                int n = from.read(buf);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                position += n;
            }
        } catch (IOException e) {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // both are being torn down
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        List<SocketChannel> all;
        List<Thread> running;
        synchronized (sockets) {
            all = List.copyOf(sockets);
            running = List.copyOf(threads);
        }
        for (SocketChannel s : all) {
            s.close();
        }
        try {
            acceptor.join();
            for (Thread t : running) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
