package dev.tern.core.multifd;

import dev.tern.transport.MigrationChannel;
import java.io.IOException;

/**
 * One sending multifd channel and its platform thread {@code tern-multifd-send-N} (QEMU's
 * {@code multifd_send_thread}): connects, writes the initial packet, then waits for jobs from
 * the migration thread — a data packet, which it writes and hands back empty, or a SYNC — until
 * told to quit. Any failure is reported to the {@link MultifdSender}, which fails the migration.
 */
final class SendChannel {
    private final int id;
    private final MultifdSender owner;
    private final MultifdSender.Connector connect;
    private final Thread thread;
    private final Object lock = new Object();
    /** The channel once connected; guarded by {@link #lock} so a shutdown never misses it. */
    private MigrationChannel channel;
    private PacketWriter writer;
    // Jobs, guarded by lock: a data packet handed over by dispatch, or a sync request.
    private PagePacket job;
    private long jobNum;
    private boolean syncRequested;
    private long syncNum;
    private boolean quit;
    /** The empty packet this channel gives in exchange for the next job; owned by whoever holds it. */
    private PagePacket spare;

    /**
     * A channel, not started.
     *
     * @param id the channel id
     * @param owner the sender it belongs to
     * @param connect opens the connection (in the channel's thread)
     * @param spare the channel's first empty packet
     */
    SendChannel(int id, MultifdSender owner, MultifdSender.Connector connect, PagePacket spare) {
        this.id = id;
        this.owner = owner;
        this.connect = connect;
        this.spare = spare;
        this.thread = Thread.ofPlatform().name("tern-multifd-send-" + id).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    int id() {
        return id;
    }

    /**
     * Hands a packet to this channel if it is idle ({@code multifd_send_pages}' swap).
     *
     * @param packet the full packet
     * @param packetNum its number
     * @return the channel's empty packet in exchange, or null if the channel is busy
     */
    PagePacket offer(PagePacket packet, long packetNum) {
        synchronized (lock) {
            if (job != null || quit || spare == null) {
                return null;
            }
            PagePacket empty = spare;
            spare = null;
            job = packet;
            jobNum = packetNum;
            lock.notifyAll();
            return empty;
        }
    }

    /**
     * Asks for a SYNC packet after whatever this channel is writing.
     *
     * @param packetNum the SYNC packet's number
     */
    void requestSync(long packetNum) {
        synchronized (lock) {
            syncRequested = true;
            syncNum = packetNum;
            lock.notifyAll();
        }
    }

    /** Tells the thread to end and unblocks its I/O. */
    void shutdown() {
        synchronized (lock) {
            quit = true;
            lock.notifyAll();
            if (channel != null) {
                channel.shutdown();
            }
        }
    }

    /** Joins the thread and closes the connection; call after {@link #shutdown()}. */
    void close() {
        dev.tern.core.vm.Uninterruptibly.join(thread);
        MigrationChannel c;
        synchronized (lock) {
            c = channel;
        }
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                System.getLogger(SendChannel.class.getName()).log(System.Logger.Level.DEBUG,
                        "closing multifd channel " + id + " failed", e);
            }
        }
    }

    private void run() {
        try {
            MigrationChannel c = connect.connect();
            synchronized (lock) {
                channel = c;
                if (quit) {
                    c.shutdown();
                    return;
                }
            }
            writer = owner.newWriter(id, c);
            writer.writeInitial(owner.uuid());
            owner.channelReady();
            loop();
        } catch (IOException | RuntimeException e) {
            owner.channelFailed(id, e);
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            PagePacket data;
            long num;
            synchronized (lock) {
                while (job == null && !syncRequested && !quit) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (quit) {
                    return;
                }
                data = job;
                num = data != null ? jobNum : syncNum;
            }
            if (data != null) {
                writer.writeData(data, num);
                data.clear();
                synchronized (lock) {
                    job = null;
                    spare = data;
                }
                owner.channelReady();
            } else {
                writer.writeSync(num);
                boolean missed = owner.zeroCopy() && writer.flushZeroCopy();
                synchronized (lock) {
                    syncRequested = false;
                }
                owner.syncWritten(missed);
            }
        }
    }
}
