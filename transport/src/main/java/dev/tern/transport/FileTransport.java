package dev.tern.transport;

import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code file:PATH[,offset=N]} as QEMU 8.2's {@code migration/file.c} opens it: outgoing
 * {@code O_CREAT|O_WRONLY|O_TRUNC} with mode 0600 (so anything before {@code offset} reads back
 * as zeros) and a seek to {@code offset}; incoming {@code O_RDONLY} and the same seek. No seek
 * is made for offset 0, so the path may name a FIFO.
 */
final class FileTransport {
    private static final Set<OpenOption> OUTGOING =
            Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    private static final Set<OpenOption> INCOMING = Set.of(StandardOpenOption.READ);

    private FileTransport() {
    }

    /**
     * Creates or truncates the file and positions it at the offset.
     *
     * @param uri the URI
     * @return the write-only channel
     * @throws IOException if the file cannot be opened or the offset not reached
     */
    static ChannelBase connect(MigrationUri.File uri) throws IOException {
        return new FileMigrationChannel(open(uri, OUTGOING), description(uri), true);
    }

    /**
     * Opens the file for reading at {@code migrate-incoming} time, as QEMU does.
     *
     * @param uri the URI
     * @return the single-channel listener
     * @throws IOException if the file cannot be opened or the offset not reached
     */
    static MigrationListener listen(MigrationUri.File uri) throws IOException {
        ChannelBase channel = new FileMigrationChannel(open(uri, INCOMING), description(uri), false);
        return new SingleChannelListener(channel.description(), new SingleChannelListener.Source() {
            @Override
            public ChannelBase open() {
                return channel;
            }

            @Override
            public void abandon() {
                channel.close();
            }
        });
    }

    private static FileChannel open(MigrationUri.File uri, Set<OpenOption> options) throws IOException {
        if (uri.offset() < 0) {
            // Beyond 2^63 - 1: lseek() rejects it.
            throw TransportErrors.seekFailed(uri.offset(), "Invalid argument");
        }
        FileChannel file;
        try {
            if (uri.path().isEmpty()) {
                // open("") fails with ENOENT; Path.of("") would mean the working directory.
                throw new NoSuchFileException(uri.path());
            }
            file = options.contains(StandardOpenOption.CREATE)
                    ? FileChannel.open(Path.of(uri.path()), options,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : FileChannel.open(Path.of(uri.path()), options);
        } catch (InvalidPathException e) {
            throw TransportErrors.openFailed(uri.path(), new IOException("Invalid argument", e));
        } catch (IOException e) {
            throw TransportErrors.openFailed(uri.path(), e);
        }
        if (uri.offset() != 0) {
            try {
                file.position(uri.offset());
            } catch (IOException e) {
                file.close();
                throw TransportErrors.seekFailed(uri.offset(), TransportErrors.reason(e));
            }
        }
        return file;
    }

    private static String description(MigrationUri.File uri) {
        return "file:" + uri.path() + (uri.offset() == 0 ? "" : ",offset=" + Long.toUnsignedString(uri.offset()));
    }
}
