package dev.tern.core.precopy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a source and a destination that damages the source-to-destination
 * stream once: it either kills the connection after forwarding exactly {@code n} bytes, or
 * flips bits of the byte at one position. The return path is forwarded untouched.
 */
final class FaultProxy implements AutoCloseable {
    private static final int BUFFER = 64 << 10;

    private final ServerSocketChannel server;
    private final int destinationPort;
    private final long cutAfter;
    private final long flipAt;
    private final int flipMask;
    private final AtomicLong forwarded = new AtomicLong();
    private final Thread acceptor;
    private volatile SocketChannel fromSource;
    private volatile SocketChannel toDestination;
    private volatile Thread up;
    private volatile Thread down;
    private volatile boolean faulted;

    private FaultProxy(int destinationPort, long cutAfter, long flipAt, int flipMask) throws IOException {
        this.destinationPort = destinationPort;
        this.cutAfter = cutAfter;
        this.flipAt = flipAt;
        this.flipMask = flipMask;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = Thread.ofPlatform().name("proxy-accept").daemon().start(this::accept);
    }

    /** Kills the connection after forwarding exactly {@code n} bytes of the stream. */
    static FaultProxy cutAfter(long n, int destinationPort) throws IOException {
        return new FaultProxy(destinationPort, n, -1, 0);
    }

    /** XORs the stream byte at {@code position} with {@code mask} (non-zero). */
    static FaultProxy flipAt(long position, int mask, int destinationPort) throws IOException {
        if ((mask & 0xff) == 0) {
            throw new IllegalArgumentException("a zero mask flips nothing");
        }
        return new FaultProxy(destinationPort, -1, position, mask);
    }

    String uri() throws IOException {
        return "tcp:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** Whether the damage was done (the stream reached the cut or flip position). */
    boolean faulted() {
        return faulted;
    }

    long forwarded() {
        return forwarded.get();
    }

    private void accept() {
        try {
            SocketChannel src = server.accept();
            fromSource = src;
            SocketChannel dst = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    destinationPort));
            toDestination = dst;
            server.close();
            down = Thread.ofPlatform().name("proxy-down").daemon().start(() -> pumpDown(dst, src));
            up = Thread.ofPlatform().name("proxy-up").daemon().start(() -> pumpUp(src, dst));
        } catch (IOException e) {
            closeAll();
        }
    }

    private void pumpUp(SocketChannel src, SocketChannel dst) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        long position = 0;
        try {
            while (true) {
                buf.clear();
                if (cutAfter >= 0) {
                    if (position == cutAfter) {
                        faulted = true;
                        closeAll();
                        return;
                    }
                    buf.limit((int) Math.min(BUFFER, cutAfter - position));
                }
                int n = src.read(buf);
                if (n < 0) {
                    dst.shutdownOutput();
                    return;
                }
                if (flipAt >= position && flipAt < position + n) {
                    int at = (int) (flipAt - position);
                    buf.put(at, (byte) (buf.get(at) ^ flipMask));
                    faulted = true;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    dst.write(buf);
                }
                position += n;
                forwarded.set(position);
            }
        } catch (IOException e) {
            closeAll();
        }
    }

    private void pumpDown(SocketChannel dst, SocketChannel src) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (true) {
                buf.clear();
                if (dst.read(buf) < 0) {
                    src.shutdownOutput();
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    src.write(buf);
                }
            }
        } catch (IOException e) {
            closeAll();
        }
    }

    private void closeAll() {
        for (var c : new java.nio.channels.Channel[] {server, fromSource, toDestination}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing is all that is left to do
                }
            }
        }
    }

    @Override
    public void close() {
        closeAll();
        try {
            acceptor.join();
            // The acceptor may have connected after the first close.
            closeAll();
            for (Thread t : new Thread[] {up, down}) {
                if (t != null) {
                    t.join();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
