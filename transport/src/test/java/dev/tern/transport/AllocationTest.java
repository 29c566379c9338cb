package dev.tern.transport;

import static dev.tern.transport.RoundTripTest.connect;
import static dev.tern.transport.RoundTripTest.listen;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-page path allocates nothing: a gathering {@code writeFully} of a header and a page
 * view, and a {@code read} into a page view, measured with the JVM's per-thread allocation
 * counter after a warm-up.
 *
 * <p>The bound is "less than one byte per call": the smallest object is 16 bytes, so any
 * allocation per call would exceed it many times over, while the JVM's own one-off work in
 * the measured thread (a deoptimization rematerialising a few objects) stays below it.
 */
class AllocationTest {
    private static final int WARM_UP = 5_000;
    private static final int MEASURED = 20_000;
    private static final int PAGE = 4096;
    private static final int HEADER = 9;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private static void assertNothingPerCall(long bytes, String what) {
        assertTrue(bytes < MEASURED, what + " allocated " + bytes + " bytes in " + MEASURED + " calls");
    }

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Writes {@code count} records of header + page view; returns bytes allocated meanwhile. */
    private static long writeRecords(MigrationChannel channel, ByteBuffer[] record, ByteBuffer header,
            ByteBuffer page, int count) throws Exception {
        long before = allocated();
        for (int i = 0; i < count; i++) {
            header.clear();
            page.clear();
            channel.writeFully(record);
        }
        return allocated() - before;
    }

    /** Reads {@code bytes} into page-sized windows of one buffer; returns bytes allocated meanwhile. */
    private static long readBytes(MigrationChannel channel, ByteBuffer into, long bytes) throws Exception {
        long before = allocated();
        long left = bytes;
        while (left > 0) {
            into.clear();
            into.limit((int) Math.min(into.capacity(), left));
            while (into.hasRemaining()) {
                int n = channel.read(into);
                if (n < 0) {
                    throw new java.io.EOFException();
                }
                left -= n;
            }
        }
        return allocated() - before;
    }

    @Test
    void socketWritesAndReadsAllocateNothing() throws Exception {
        String path = dir.resolve("alloc.sock").toString();
        try (MigrationListener listener = listen("unix:" + path);
                MigrationChannel source = connect("unix:" + path);
                MigrationChannel destination = listener.accept()) {
            long recordBytes = HEADER + PAGE;
            Future<Long> reader = Transfers.background(() -> {
                ByteBuffer into = ByteBuffer.allocateDirect(PAGE);
                readBytes(destination, into, WARM_UP * recordBytes);
                return readBytes(destination, into, MEASURED * recordBytes);
            });
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer header = ByteBuffer.allocateDirect(HEADER);
            ByteBuffer page = block.slice(8 * PAGE, PAGE);
            ByteBuffer[] record = {header, page};
            writeRecords(source, record, header, page, WARM_UP);
            assertNothingPerCall(writeRecords(source, record, header, page, MEASURED), "writeFully");
            assertNothingPerCall(Transfers.await(reader), "read");
        }
    }

    @Test
    void fileWritesAndReadsAllocateNothing() throws Exception {
        Path file = dir.resolve("image");
        ByteBuffer header = ByteBuffer.allocateDirect(HEADER);
        ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
        ByteBuffer[] record = {header, page};
        try (MigrationChannel source = connect("file:" + file)) {
            writeRecords(source, record, header, page, WARM_UP);
            assertNothingPerCall(writeRecords(source, record, header, page, MEASURED), "writeFully");
        }
        try (MigrationListener listener = listen("file:" + file);
                MigrationChannel destination = listener.accept()) {
            ByteBuffer into = ByteBuffer.allocateDirect(PAGE);
            readBytes(destination, into, WARM_UP * (long) (HEADER + PAGE));
            // Page-sized reads of a stream of 4105-byte records: about one read call per page.
            assertNothingPerCall(readBytes(destination, into, MEASURED * (long) (HEADER + PAGE)), "read");
        }
    }
}
