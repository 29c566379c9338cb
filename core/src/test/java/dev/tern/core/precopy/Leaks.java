package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a migration could leak: Tern's threads (names starting {@code tern-}), this process's
 * open file descriptors, and child processes.
 *
 * @param threads the names of live {@code tern-} threads, sorted
 * @param fds entries of {@code /proc/self/fd}
 * @param children live child processes
 */
record Leaks(List<String> threads, long fds, long children) {
    private static final long SETTLE_NANOS = 10_000_000_000L;

    static Leaks snapshot() {
        List<String> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("tern-"))
                .sorted()
                .toList();
        long fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            // The listing's own descriptor is in the listing: it is there every time.
            fds = entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        return new Leaks(threads, fds, children);
    }

    /** Waits a little for threads and processes to end, then asserts everything is as it was. */
    static void assertNoneSince(Leaks before) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        Leaks now = snapshot();
        while (!now.equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = snapshot();
        }
        assertEquals(before, now, "threads, descriptors and child processes after the migration");
    }
}
