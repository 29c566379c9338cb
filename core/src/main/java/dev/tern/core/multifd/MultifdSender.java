package dev.tern.core.multifd;

import dev.tern.api.MultiFdCompression;
import dev.tern.api.guest.RamBlock;
import dev.tern.core.multifd.codec.PacketCodecs;
import dev.tern.core.multifd.codec.PacketCompressor;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The source side of multifd (QEMU's {@code multifd_send_state}, spec 8.4): the channels and
 * their threads, the packet being filled by the migration thread, dispatch to the next idle
 * channel round-robin, and the sync before every RAM EOS.
 *
 * <p>The migration thread calls {@link #queuePage}, {@link #sync()} and {@link #close()}; any
 * thread may call {@link #shutdown()} and {@link #error()}. A failure on any channel is latched
 * (the first one wins), wakes the migration thread wherever it waits for the channels, and is
 * reported by the next {@link #queuePage} or {@link #sync()} and by {@link #error()}.
 */
public final class MultifdSender implements AutoCloseable {
    private final int pageSize;
    private final int headerLength;
    private final List<RamBlock> blocks;
    private final MigrationCounters counters;
    private final byte[] uuid;
    private final MultiFdCompression compression;
    private final int level;
    private final boolean zeroCopy;
    private final SendChannel[] channels;
    /** Idle channels ({@code channels_ready}): posted after the initial packet and after each data packet. */
    private final Semaphore ready = new Semaphore(0);
    /** SYNC packets written since the migration thread asked ({@code sem_sync}). */
    private final Semaphore syncsWritten = new Semaphore(0);
    private final Object errorLock = new Object();
    private volatile IOException error;
    private PagePacket pending;
    private int nextChannel;
    private long packetNum;
    private volatile boolean stopping;
    private boolean closed;

    /**
     * Opens the channels: each thread connects, writes its initial packet and waits for work.
     *
     * @param connector opens one more connection to the destination
     * @param channelCount {@code multifd-channels}
     * @param compression {@code multifd-compression}
     * @param level {@code multifd-zlib-level} or {@code multifd-zstd-level}, for the method in use
     * @param zeroCopy {@code zero-copy-send}
     * @param blocks the migrated blocks, indexed as {@link #queuePage}'s {@code blockIndex}
     * @param uuid the source VM's UUID (all zero bytes are sent without one)
     * @param pageSize the target page size
     * @param counters where {@code multifd-bytes}, {@code transferred} and
     *     {@code dirty-sync-missed-zero-copy} are counted
     * @return the running sender
     */
    public static MultifdSender start(Connector connector, int channelCount, MultiFdCompression compression,
            int level, boolean zeroCopy, List<RamBlock> blocks, Optional<java.util.UUID> uuid, int pageSize,
            MigrationCounters counters) {
        MultifdSender s = new MultifdSender(connector, channelCount, compression, level, zeroCopy, blocks, uuid,
                pageSize, counters);
        for (SendChannel c : s.channels) {
            c.start();
        }
        return s;
    }

    private MultifdSender(Connector connector, int channelCount, MultiFdCompression compression, int level,
            boolean zeroCopy, List<RamBlock> blocks, Optional<java.util.UUID> uuid, int pageSize,
            MigrationCounters counters) {
        Objects.requireNonNull(connector, "connector");
        if (channelCount < 1 || channelCount > 255) {
            throw new IllegalArgumentException("multifd-channels " + channelCount + " outside 1 to 255");
        }
        this.pageSize = pageSize;
        this.headerLength = MultifdPacketDescriptor.headerLength(pageSize);
        this.blocks = List.copyOf(blocks);
        this.counters = Objects.requireNonNull(counters, "counters");
        this.uuid = MultifdPacketDescriptor.uuidBytes(uuid);
        this.compression = Objects.requireNonNull(compression, "compression");
        this.level = level;
        this.zeroCopy = zeroCopy;
        int pagesAlloc = MultifdPacketDescriptor.pagesAlloc(pageSize);
        this.pending = new PagePacket(pagesAlloc);
        this.channels = new SendChannel[channelCount];
        for (int i = 0; i < channelCount; i++) {
            channels[i] = new SendChannel(i, this, connector, new PagePacket(pagesAlloc));
        }
    }

    /**
     * Queues a non-zero page ({@code multifd_queue_page}): the current packet is dispatched first
     * when it is full or holds another block's pages. Counts the page in {@code normal}.
     *
     * @param blockIndex the block's index in the list given at start
     * @param offset the page's offset in the block
     * @throws IOException if a channel failed (its message), now or earlier
     */
    public void queuePage(int blockIndex, long offset) throws IOException {
        if (pending.count > 0 && (pending.block != blockIndex || pending.full())) {
            dispatch();
        }
        pending.add(blockIndex, blocks.get(blockIndex), offset);
        counters.addNormalPages(1);
    }

    /**
     * {@code multifd_send_sync_main}, before each RAM EOS on the main channel: dispatches the
     * partial packet, has every channel write a SYNC packet (each counted as a header in
     * {@code multifd-bytes} and {@code transferred}) and waits until all did, so every page
     * queued so far is on its socket before the EOS is. With zero-copy each channel flushes and
     * counts a miss in {@code dirty-sync-missed-zero-copy}.
     *
     * @throws IOException if a channel failed
     */
    public void sync() throws IOException {
        if (pending.count > 0) {
            dispatch();
        }
        check();
        for (SendChannel c : channels) {
            c.requestSync(packetNum++);
            counters.addMultifdBytes(headerLength);
        }
        syncsWritten.acquireUninterruptibly(channels.length);
        check();
    }

    /**
     * The first channel failure, if any.
     *
     * @return its message
     */
    public Optional<IOException> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Stops every channel's thread and unblocks its I/O ({@code multifd_send_terminate_threads});
     * any thread, idempotent. The migration thread, if waiting for a channel, wakes and fails.
     */
    public void shutdown() {
        stopping = true;
        for (SendChannel c : channels) {
            c.shutdown();
        }
        wakeMigrationThread();
    }

    /** Shuts down, joins every channel thread and closes every connection. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown();
        for (SendChannel c : channels) {
            c.close();
        }
    }

    /** Opens one connection to the destination, for a channel's thread. */
    @FunctionalInterface
    public interface Connector {
        /**
         * Connects.
         *
         * @return the connected channel, owned by the caller
         * @throws IOException if the connection fails
         */
        MigrationChannel connect() throws IOException;
    }

    // ---- called by the channels ------------------------------------------------------------

    PacketWriter newWriter(int id, MigrationChannel channel) {
        Optional<PacketCompressor> compressor = compression == MultiFdCompression.NONE ? Optional.empty()
                : Optional.of(PacketCodecs.compressor(compression, level, pageSize, id));
        return new PacketWriter(id, channel, pageSize, blocks, compressor, zeroCopy);
    }

    byte[] uuid() {
        return uuid;
    }

    boolean zeroCopy() {
        return zeroCopy;
    }

    void channelReady() {
        ready.release();
    }

    void syncWritten(boolean missedZeroCopy) {
        if (missedZeroCopy) {
            counters.incrementDirtySyncMissedZeroCopy();
        }
        syncsWritten.release();
    }

    void channelFailed(int id, Exception e) {
        synchronized (errorLock) {
            if (error == null) {
                String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                        : e.getMessage();
                error = MultifdErrors.channelFailed(id, m);
                error.initCause(e);
            }
        }
        shutdown();
    }

    // ---- the migration thread ----------------------------------------------------------------

    /** {@code multifd_send_pages}: waits for an idle channel, swaps the packet, counts it. */
    private void dispatch() throws IOException {
        int n = pending.count;
        while (true) {
            check();
            ready.acquireUninterruptibly();
            check();
            for (int k = 0; k < channels.length; k++) {
                int i = (nextChannel + k) % channels.length;
                PagePacket empty = channels[i].offer(pending, packetNum);
                if (empty != null) {
                    nextChannel = (i + 1) % channels.length;
                    packetNum++;
                    pending = empty;
                    counters.addMultifdBytes((long) n * pageSize + headerLength);
                    return;
                }
            }
            // A permit without an idle channel: only after a failure, which check() reports.
        }
    }

    private void check() throws IOException {
        IOException e = error;
        if (e != null) {
            throw e;
        }
        if (stopping) {
            throw new IOException("multifd channels are shut down");
        }
    }

    private void wakeMigrationThread() {
        // Enough permits to release any wait in dispatch or sync; only after a failure or a
        // shutdown, when the counts no longer matter.
        ready.release(channels.length + 1);
        syncsWritten.release(channels.length + 1);
    }
}
