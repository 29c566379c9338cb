package dev.tern.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * An input stream over a blocking channel that reads straight from the channel, so a thread
 * blocked reading never holds a lock a writing thread needs (the streams of
 * {@code Channels.newInputStream} may synchronize on the channel's blocking lock), and that
 * returns whatever one read delivers instead of waiting to fill the caller's buffer.
 */
final class ChannelInput extends InputStream {
    private final ReadableByteChannel channel;

    ChannelInput(ReadableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        // a blocking channel returns at least one byte, or -1 at end of stream
        return channel.read(ByteBuffer.wrap(b, off, len));
    }
}
