package dev.tern.core.multifd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.SocketAddress;
import dev.tern.core.stream.AllocationMeter;
import dev.tern.core.stream.DiscardChannel;
import dev.tern.core.stream.MemoryChannel;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.TestBlock;
import dev.tern.transport.MigrationChannel;
import dev.tern.transport.MigrationListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The channel set-up on the destination, and the per-packet paths' allocation. */
class MultifdChannelsTest {
    private static final int TPS = 4096;

    /** A listener handing out prepared channels. */
    private static final class FakeListener implements MigrationListener {
        private final Deque<MigrationChannel> channels = new ArrayDeque<>();

        FakeListener(MigrationChannel... cs) {
            channels.addAll(List.of(cs));
        }

        @Override
        public List<SocketAddress> addresses() {
            return List.of();
        }

        @Override
        public MigrationChannel accept() throws IOException {
            MigrationChannel c = channels.poll();
            if (c == null) {
                throw new IOException("no more connections");
            }
            return c;
        }

        @Override
        public void close() {
        }
    }

    private static MemoryChannel initial(UUID uuid, int id) {
        ByteBuffer b = ByteBuffer.allocate(64);
        MultifdPacketDescriptor.writeInitial(b, MultifdPacketDescriptor.uuidBytes(Optional.ofNullable(uuid)), id);
        return MemoryChannel.source(b.array());
    }

    private static MultifdReceiver receiver(int channels, Optional<UUID> local) {
        return new MultifdReceiver(channels, MultiFdCompression.NONE, List.of(TestBlock.of("pc.ram", 1 << 20)), local,
                TPS, () -> { });
    }

    @Test
    void duplicateChannelIdIsRefused() {
        MultifdReceiver r = receiver(2, Optional.empty());
        MemoryChannel first = initial(null, 0);
        MemoryChannel second = initial(null, 0);
        assertEquals("multifd: received id '0' already setup'", assertThrows(StreamFormatException.class,
                () -> r.acceptAll(new FakeListener(first, second))).getMessage());
        r.close();
        assertTrue(first.closed() && second.closed(), "accepted channels are closed");
    }

    @Test
    void channelsInAnyOrderAreAccepted() throws Exception {
        UUID id = UUID.randomUUID();
        try (MultifdReceiver r = receiver(3, Optional.of(id))) {
            r.acceptAll(new FakeListener(initial(id, 2), initial(id, 0), initial(id, 1)));
            // Each channel then ends cleanly (no packet): a sync must fail, not hang.
            IOException e = assertThrows(IOException.class, r::syncMain);
            assertTrue(e.getMessage().endsWith("the channel ended before its SYNC packet"), e.getMessage());
        }
    }

    @Test
    void wrongUuidIsRefused() {
        try (MultifdReceiver r = receiver(1, Optional.empty())) {
            UUID other = UUID.fromString("00000000-0000-0000-0000-000000000001");
            assertEquals("multifd: received uuid '00000000-0000-0000-0000-000000000001' and expected uuid "
                    + "'00000000-0000-0000-0000-000000000000' for channel 0", assertThrows(
                            StreamFormatException.class, () -> r.acceptAll(new FakeListener(initial(other, 0))))
                            .getMessage());
        }
    }

    @Test
    void writingAPacketAllocatesNothing() {
        TestBlock a = TestBlock.of("pc.ram", 8 << 20);
        a.memory().fill((byte) 3);
        PacketWriter w = new PacketWriter(0, new DiscardChannel(), TPS, List.<RamBlock>of(a), Optional.empty(), true);
        PagePacket p = new PagePacket(128);
        Runnable round = () -> {
            try {
                for (int k = 0; k < 1000; k++) {
                    p.clear();
                    for (int i = 0; i < 128; i++) {
                        p.add(0, a, (long) ((k + i * 13) % 2048) * TPS);
                    }
                    w.writeData(p, k);
                    w.writeSync(k);
                    w.flushZeroCopy();
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        long allocated = AllocationMeter.measure(round);
        // AllocationMeter boxes its reading; a byte per packet would already be 1000.
        assertTrue(allocated < 1000, "allocated " + allocated + " bytes for 1000 packets");
    }

    /** Serves the same bytes over and over without allocating. */
    private static final class RepeatingChannel implements MigrationChannel {
        private final ByteBuffer data;

        RepeatingChannel(byte[] bytes) {
            this.data = ByteBuffer.wrap(bytes);
        }

        @Override
        public boolean readable() {
            return true;
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void writeFully(ByteBuffer... buffers) throws IOException {
            throw new IOException("read only");
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!data.hasRemaining()) {
                data.rewind();
            }
            int n = Math.min(dst.remaining(), data.remaining());
            int limit = data.limit();
            data.limit(data.position() + n);
            dst.put(data);
            data.limit(limit);
            return n;
        }

        @Override
        public void shutdown() {
        }

        @Override
        public String description() {
            return "repeat";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void readingAPacketAllocatesNothing() throws Exception {
        TestBlock a = TestBlock.of("pc.ram", 8 << 20);
        MemoryChannel sink = MemoryChannel.sink();
        PacketWriter w = new PacketWriter(0, sink, TPS, List.<RamBlock>of(a), Optional.empty(), false);
        PagePacket p = new PagePacket(128);
        for (int i = 0; i < 128; i++) {
            p.add(0, a, (long) i * 2 * TPS);
        }
        w.writeData(p, 1);
        PacketReader r = new PacketReader(0, new RepeatingChannel(sink.written()), TPS,
                List.<RamBlock>of(TestBlock.of("pc.ram", 8 << 20)), Optional.empty());
        Runnable round = () -> {
            try {
                for (int k = 0; k < 1000; k++) {
                    r.readPacket();
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        long allocated = AllocationMeter.measure(round);
        assertTrue(allocated < 1000, "allocated " + allocated + " bytes for 1000 packets");
    }
}
