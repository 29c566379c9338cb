package dev.tern.core.stream.qemu;

import dev.tern.transport.MigrationChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A migration channel over a file, for writing a stream QEMU will load and reading one QEMU wrote. */
final class FileStreamChannel implements MigrationChannel {
    private final FileChannel file;

    FileStreamChannel(FileChannel file) {
        this.file = file;
    }

    @Override
    public boolean readable() {
        return true;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public void writeFully(ByteBuffer... buffers) throws IOException {
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= file.write(buffers);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return file.read(dst);
    }

    @Override
    public void shutdown() {
    }

    @Override
    public String description() {
        return "file";
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
