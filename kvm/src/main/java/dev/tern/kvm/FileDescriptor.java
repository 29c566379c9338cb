package dev.tern.kvm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An owned Linux file descriptor that is closed exactly once. After {@link #close()},
 * {@link #get()} refuses to hand the number out, so a closed descriptor cannot reach an ioctl
 * (where it might by then name some unrelated file the process opened since).
 *
 * <p>Closing while another thread is inside a call on the descriptor is the caller's error,
 * as it is in C; the owners' Javadoc says so.
 */
final class FileDescriptor {
    private final int fd;
    private final String what;
    private final AtomicBoolean closed = new AtomicBoolean();

    FileDescriptor(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = fd;
        this.what = what;
    }

    /**
     * The descriptor number.
     *
     * @return the number
     * @throws IllegalStateException if the descriptor has been closed
     */
    int get() {
        if (closed.get()) {
            throw new IllegalStateException(what + " is closed");
        }
        return fd;
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the descriptor the first time it is called; later calls do nothing.
     *
     * @return true if this call closed it
     * @throws KvmException if {@code close} fails (the descriptor is released all the same)
     */
    boolean close() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        Syscalls.close(fd);
        return true;
    }
}
