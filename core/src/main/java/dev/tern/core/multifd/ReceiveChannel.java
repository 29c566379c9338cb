package dev.tern.core.multifd;

import dev.tern.core.vm.Uninterruptibly;
import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * One receiving multifd channel and its platform thread {@code tern-multifd-recv-N} (QEMU's
 * {@code multifd_recv_thread}): reads packets into guest memory; after a SYNC packet it tells
 * the main loader and blocks until the loader releases it, so no page of the next iteration is
 * written before the main stream passed the EOS of this one.
 */
final class ReceiveChannel {
    private final int id;
    private final MigrationChannel channel;
    private final PacketReader reader;
    private final MultifdReceiver owner;
    private final Semaphore released = new Semaphore(0);
    private final Thread thread;
    private volatile boolean quit;
    private volatile long lastSyncPacket;

    ReceiveChannel(int id, MigrationChannel channel, PacketReader reader, MultifdReceiver owner) {
        this.id = id;
        this.channel = channel;
        this.reader = reader;
        this.owner = owner;
        this.thread = Thread.ofPlatform().name("tern-multifd-recv-" + id).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * The packet number of the last SYNC seen.
     *
     * @return the number
     */
    long lastSyncPacket() {
        return lastSyncPacket;
    }

    /** Lets the thread go on after its SYNC ({@code p->sem_sync}). */
    void release() {
        released.release();
    }

    /** Ends the thread: unblocks its read and its wait for release. */
    void shutdown() {
        quit = true;
        channel.shutdown();
        released.release();
    }

    /** Joins the thread and closes the channel; call after {@link #shutdown()}. */
    void close() {
        Uninterruptibly.join(thread);
        try {
            channel.close();
        } catch (IOException e) {
            System.getLogger(ReceiveChannel.class.getName()).log(System.Logger.Level.DEBUG,
                    "closing multifd channel " + id + " failed", e);
        }
    }

    private void run() {
        try {
            while (!quit) {
                PacketHeader h = reader.readPacket();
                if (h == null) {
                    owner.channelEnded(id);
                    return;
                }
                if (h.sync()) {
                    lastSyncPacket = h.packetNum();
                    owner.syncArrived();
                    released.acquireUninterruptibly();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!quit) {
                owner.channelFailed(id, e);
            }
        } finally {
            reader.close();
        }
    }
}
