package dev.tern.core.multifd;

import dev.tern.api.MultiFdCompression;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.multifd.codec.PacketCodecs;
import dev.tern.core.multifd.codec.PacketDecompressor;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.transport.MigrationChannel;
import dev.tern.transport.MigrationListener;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * The destination side of multifd (QEMU's {@code multifd_recv_state}, spec 8.4): accepts the
 * {@code multifd-channels} connections that follow the main one, checks each initial packet, runs
 * one receiver thread per channel, and is the barrier the main loader passes at each RAM EOS
 * ({@link #syncMain()}).
 *
 * <p>The incoming migration's thread calls {@link #acceptAll}, {@link #syncMain()} and
 * {@link #close()}; any thread may call {@link #shutdown()}. A failure on a channel is latched
 * (the first wins), wakes the main loader if it waits in {@link #syncMain()}, and runs the
 * failure hook, which shuts the main channel down so a loader blocked reading it fails too.
 */
public final class MultifdReceiver implements AutoCloseable {
    private final int channelCount;
    private final MultiFdCompression compression;
    private final List<? extends RamBlock> blocks;
    private final UUID local;
    private final int pageSize;
    private final Runnable onFailure;
    private final Object lock = new Object();
    /** Accepted connections, including ones still being checked; guarded by {@link #lock}. */
    private final List<MigrationChannel> accepted = new ArrayList<>();
    private final ReceiveChannel[] channels;
    /** SYNC packets seen by the channels and not yet consumed by {@link #syncMain()}. */
    private final Semaphore syncs = new Semaphore(0);
    private volatile IOException error;
    private volatile boolean stopping;
    private volatile int ended = -1;
    private long packetNum;
    private boolean closed;

    /**
     * A receiver, accepting nothing yet.
     *
     * @param channelCount the destination's {@code multifd-channels}
     * @param compression the destination's {@code multifd-compression}
     * @param blocks the destination's RAM blocks
     * @param local the destination VM's UUID, if any (the nil UUID is expected without one)
     * @param pageSize the target page size
     * @param onFailure run once when a channel fails (the incoming migration shuts its main channel down)
     */
    public MultifdReceiver(int channelCount, MultiFdCompression compression, List<? extends RamBlock> blocks,
            Optional<UUID> local, int pageSize, Runnable onFailure) {
        this.channelCount = channelCount;
        this.compression = Objects.requireNonNull(compression, "compression");
        this.blocks = List.copyOf(blocks);
        this.local = local.orElse(new UUID(0, 0));
        this.pageSize = pageSize;
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.channels = new ReceiveChannel[channelCount];
    }

    /**
     * Accepts and checks every channel, then starts their threads ({@code multifd_recv_new_channel}):
     * the main loading starts only after this returns.
     *
     * @param listener the listener the main channel came from
     * @throws StreamFormatException an initial packet failed its checks (see
     *     {@link InitialPacket#check}), or "multifd: received id '%d' already setup'"
     * @throws IOException if accepting or reading fails, or {@link #shutdown()} was called
     */
    public void acceptAll(MigrationListener listener) throws IOException {
        int connected = 0;
        ByteBuffer initial = ByteBuffer.allocate(MultifdPacketDescriptor.INITIAL_PACKET_LENGTH);
        while (connected < channelCount) {
            MigrationChannel c = listener.accept();
            synchronized (lock) {
                accepted.add(c);
                if (stopping) {
                    throw new IOException("the incoming migration was stopped");
                }
            }
            initial.clear();
            while (initial.hasRemaining()) {
                if (c.read(initial) < 0) {
                    throw new EOFException("multifd: the channel ended before its initial packet");
                }
            }
            int id = InitialPacket.decode(initial.flip()).check(local, channelCount);
            if (channels[id] != null) {
                throw MultifdErrors.channelAlreadySetUp(id);
            }
            Optional<PacketDecompressor> d = compression == MultiFdCompression.NONE ? Optional.empty()
                    : Optional.of(PacketCodecs.decompressor(compression, pageSize, id));
            channels[id] = new ReceiveChannel(id, c, new PacketReader(id, c, pageSize, blocks, d), this);
            connected++;
        }
        for (ReceiveChannel ch : channels) {
            ch.start();
        }
    }

    /**
     * {@code multifd_recv_sync_main}, at each RAM EOS of the main stream: waits for a SYNC from
     * every channel, records the highest packet number, and releases the channels.
     *
     * @throws IOException if a channel failed or ended before its SYNC
     */
    public void syncMain() throws IOException {
        syncs.acquireUninterruptibly(channelCount);
        check();
        for (ReceiveChannel ch : channels) {
            packetNum = Math.max(packetNum, ch.lastSyncPacket());
            ch.release();
        }
    }

    /**
     * The highest packet number seen at the last sync.
     *
     * @return the number
     */
    public long packetNum() {
        return packetNum;
    }

    /**
     * The first channel failure, if any.
     *
     * @return the error
     */
    public Optional<IOException> error() {
        return Optional.ofNullable(error);
    }

    /** Unblocks and ends every channel thread and a pending accept check. Any thread, idempotent. */
    public void shutdown() {
        stopping = true;
        List<MigrationChannel> open;
        synchronized (lock) {
            open = List.copyOf(accepted);
        }
        for (MigrationChannel c : open) {
            c.shutdown();
        }
        for (ReceiveChannel ch : channels) {
            if (ch != null) {
                ch.shutdown();
            }
        }
        syncs.release(channelCount + 1);
    }

    /** Shuts down, joins every thread and closes every accepted channel. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown();
        for (ReceiveChannel ch : channels) {
            if (ch != null) {
                ch.close();
            }
        }
        List<MigrationChannel> open;
        synchronized (lock) {
            open = List.copyOf(accepted);
        }
        for (MigrationChannel c : open) {
            try {
                c.close();
            } catch (IOException e) {
                System.getLogger(MultifdReceiver.class.getName()).log(System.Logger.Level.DEBUG,
                        "closing a multifd channel failed", e);
            }
        }
    }

    // ---- called by the channels ------------------------------------------------------------

    void syncArrived() {
        syncs.release();
    }

    void channelEnded(int id) {
        // Harmless after the last sync; before it, the next syncMain() must not wait forever.
        ended = id;
        syncs.release(channelCount + 1);
    }

    void channelFailed(int id, Exception e) {
        boolean first = false;
        synchronized (lock) {
            if (error == null) {
                error = e instanceof IOException io ? io : MultifdErrors.channelFailed(id, String.valueOf(e));
                first = true;
            }
        }
        if (first) {
            syncs.release(channelCount + 1);
            onFailure.run();
        }
    }

    private void check() throws IOException {
        IOException e = error;
        if (e != null) {
            throw e;
        }
        if (stopping) {
            throw new IOException("the incoming migration was stopped");
        }
        int gone = ended;
        if (gone >= 0) {
            throw new EOFException("multifd " + gone + ": the channel ended before its SYNC packet");
        }
    }
}
