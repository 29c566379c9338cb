package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.info.CompressionStats;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import dev.tern.api.info.XbzrleCacheStats;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Legacy {@code compress} end to end (spec 9.1, 4.4): a sweeping guest migrates slowly over
 * several dirty syncs with compression threads on the source and decompression threads on the
 * destination, then converges; RAM must arrive byte for byte and {@code query-migrate}'s
 * {@code compression} must say what happened.
 */
@Timeout(240)
class CompressMigrationTest {
    private static final long PAGE = 4096;

    private static CompressionStats compression(MigrationControl vm) {
        return vm.queryMigrate().compression().orElse(null);
    }

    private static long dirtySyncs(MigrationControl vm) {
        return vm.queryMigrate().ram().map(MigrationStats::dirtySyncCount).orElse(0L);
    }

    /** Waits, while the migration runs, until the source's compression statistics satisfy {@code condition}. */
    private static void awaitCompression(String what, MigrationControl vm, Predicate<CompressionStats> condition)
            throws InterruptedException {
        Migrations.await(what, vm, () -> {
            MigrationStatus status = Migrations.sourceStatus(vm);
            if (status == MigrationStatus.FAILED || status == MigrationStatus.COMPLETED) {
                throw new AssertionError("the migration ended while waiting for " + what + ": " + vm.queryMigrate());
            }
            CompressionStats c = compression(vm);
            return c != null && condition.test(c);
        });
    }

    /**
     * Sweeping guests; the source's framebuffer ({@code [SWEEP_TO, RAM)}, see {@link XbzrleGuest})
     * keeps a slow migration from completing on a sync that found nothing, which a compressed
     * pass, a fraction of the RAM on the wire, would otherwise reach quickly.
     */
    private static GuestPair pair() {
        GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> new XbzrleGuest(g, GuestPair.SWEEP_TO, GuestPair.RAM), GuestPair.sweeping(), g -> g);
        pair.add((XbzrleGuest) pair.source().guest()); // closed first: its thread ends before the RAM goes
        return pair;
    }

    /** Compress on both sides with these thread counts. */
    private static void compressOn(GuestPair pair, int threads, boolean waitThread, MigrationCapability... more) {
        MigrationCapability[] caps = new MigrationCapability[more.length + 1];
        caps[0] = MigrationCapability.COMPRESS;
        System.arraycopy(more, 0, caps, 1, more.length);
        pair.source().setCapabilities(GuestPair.on(caps));
        pair.source().setParameters(MigrateSetParameters.builder().compressThreads(threads)
                .compressWaitThread(waitThread).build());
        pair.destination().setCapabilities(GuestPair.on(MigrationCapability.COMPRESS));
        pair.destination().setParameters(MigrateSetParameters.builder().decompressThreads(threads).build());
    }

    @ParameterizedTest(name = "{0} threads, compress-wait-thread {1}")
    @CsvSource({"1, true", "1, false", "4, true", "4, false"})
    void sweepingGuestMigratesCompressed(int threads, boolean waitThread) throws Exception {
        try (GuestPair pair = pair()) {
            compressOn(pair, threads, waitThread);
            MigrationControl source = pair.source();
            source.setParameters(Migrations.nonConverge());
            source.migrate(pair.listenTcp());
            awaitCompression("pages compressed over a closed rate period", source,
                    c -> c.pages() > 0 && c.compressionRate() > 0);
            Migrations.await("three dirty syncs", source, () -> dirtySyncs(source) >= 3);
            source.setParameters(Migrations.converge());
            MigrationInfo done = pair.assertCompleted();

            CompressionStats c = done.compression().orElseThrow(() -> new AssertionError("no compression: " + done));
            MigrationStats ram = done.ram().orElseThrow();
            assertTrue(c.pages() > 0, c.toString());
            assertTrue(c.compressedSize() < c.pages() * PAGE, "the sweep's pages compress: " + c);
            assertTrue(c.compressionRate() > 1, "pages shrink: " + c);
            if (waitThread) {
                assertEquals(0, c.busy(), "pages wait for a thread: " + c);
                assertEquals(0.0, c.busyRate(), c.toString());
            }
            // Zero pages the threads found count as duplicates.
            assertTrue(ram.duplicate() > 0, ram.toString());
            // One block: only the migration's very first page names it and goes plain; every
            // other normal page is one that found all threads busy.
            assertTrue(ram.normal() <= c.busy() + 1, "normal pages are busy pages: " + ram + " " + c);
            if (waitThread) {
                assertTrue(ram.transferred() < ram.total(), "compressed RAM takes fewer bytes than the RAM: " + ram);
            }
            assertTrue(done.xbzrleCache().isEmpty(), done.toString());
            assertTrue(pair.destination().queryMigrate().compression().isEmpty(), "a destination shows no statistics");
        }
    }

    @Test
    void compressInTheBulkStageThenXbzrle() throws Exception {
        try (GuestPair pair = pair()) {
            compressOn(pair, 2, true, MigrationCapability.XBZRLE);
            MigrationControl source = pair.source();
            source.setParameters(Migrations.nonConverge());
            source.migrate(pair.listenTcp());
            Migrations.await("XBZRLE pages after the compressed first pass", source, () -> {
                XbzrleCacheStats x = source.queryMigrate().xbzrleCache().orElse(null);
                return x != null && x.pages() > 0;
            });
            long compressedAfterBulk = compression(source).pages();
            Migrations.await("three dirty syncs", source, () -> dirtySyncs(source) >= 3);
            source.setParameters(Migrations.converge());
            MigrationInfo done = pair.assertCompleted();

            CompressionStats c = done.compression().orElseThrow();
            assertTrue(c.pages() > 0, c.toString());
            assertEquals(compressedAfterBulk, c.pages(), "no page is compressed once XBZRLE took over: " + c);
            assertTrue(done.xbzrleCache().orElseThrow().pages() > 0, done.toString());
        }
    }

    @Test
    void cancelMidMigrationLeavesNoThreadAndTheSourceWhole() throws Exception {
        try (GuestPair pair = pair()) {
            Leaks before = Leaks.snapshot();
            compressOn(pair, 4, true);
            MigrationControl source = pair.source();
            source.setParameters(Migrations.nonConverge());
            source.migrate(pair.listenTcp());
            awaitCompression("pages compressed", source, c -> c.pages() > 0);
            source.cancel();
            MigrationInfo end = GuestPair.awaitFinal(source);
            assertEquals(MigrationStatus.CANCELLED, end.status().orElseThrow(), end.toString());
            GuestPair.awaitDestinationSettled(pair.destination());
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);

            // The source's dirty tracking survived: a retry to a fresh compressing destination completes.
            pair.newDestination();
            compressOn(pair, 4, true);
            source.setParameters(Migrations.converge());
            source.migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void aDestinationWithoutCompressRefusesCompressedPages() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.COMPRESS, MigrationCapability.RETURN_PATH));
            Leaks before = Leaks.snapshot();
            pair.source().migrate(pair.listenTcp());
            pair.assertDestinationNotStarted();
            assertEquals("Received an unexpected compressed page", GuestPair.errorOf(pair.destination()));
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
        }
    }
}
