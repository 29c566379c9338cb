package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import dev.tern.api.info.XbzrleCacheStats;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * XBZRLE end to end (spec 7.5, 4.3): a sweeping guest, which changes one byte of every page per
 * pass, migrates slowly for several dirty syncs with the capability on, then converges; the
 * destination's RAM must equal the source's byte for byte, and {@code query-migrate}'s
 * {@code xbzrle-cache} must say what happened.
 */
@Timeout(240)
class XbzrleMigrationTest {
    private static final long MIB = 1L << 20;
    private static final long DEFAULT_CACHE = 64 * MIB;

    private static XbzrleCacheStats xbzrle(MigrationControl vm) {
        return vm.queryMigrate().xbzrleCache().orElse(null);
    }

    /** Waits until the source's xbzrle-cache statistics satisfy {@code condition}. */
    private static void awaitXbzrle(String what, MigrationControl vm, Predicate<XbzrleCacheStats> condition)
            throws InterruptedException {
        Migrations.await(what, vm, () -> {
            MigrationStatus status = Migrations.sourceStatus(vm);
            if (status == MigrationStatus.FAILED || status == MigrationStatus.COMPLETED) {
                throw new AssertionError("the migration ended while waiting for " + what + ": " + vm.queryMigrate());
            }
            XbzrleCacheStats x = xbzrle(vm);
            return x != null && condition.test(x);
        });
    }

    /**
     * Sweeping guests; the source's framebuffer ({@code [SWEEP_TO, RAM)}) keeps a slow migration
     * from completing on a sync that found nothing (see {@link XbzrleGuest}).
     */
    private static GuestPair pair() {
        GuestPair pair = GuestPair.create(GuestPair.sweeping(),
                g -> new XbzrleGuest(g, GuestPair.SWEEP_TO, GuestPair.RAM), GuestPair.sweeping(), g -> g);
        pair.add((XbzrleGuest) pair.source().guest()); // closed first: its thread ends before the RAM goes
        return pair;
    }

    private static long dirtySyncs(MigrationControl vm) {
        return vm.queryMigrate().ram().map(MigrationStats::dirtySyncCount).orElse(0L);
    }

    /**
     * Migrates with XBZRLE until pages were delta-encoded over at least one rate period, then
     * converges; returns the completed source's query-migrate.
     */
    private static MigrationInfo migrateUntilEncodedThenConverge(GuestPair pair) throws InterruptedException {
        MigrationControl source = pair.source();
        source.setParameters(Migrations.nonConverge());
        source.migrate(pair.listenTcp());
        Migrations.awaitStatus(source, MigrationStatus.ACTIVE);
        awaitXbzrle("pages encoded over a closed rate period", source, x -> x.pages() > 0 && x.encodingRate() > 0);
        Migrations.await("three dirty syncs", source, () -> dirtySyncs(source) >= 3);
        source.setParameters(Migrations.converge());
        return pair.assertCompleted();
    }

    @ParameterizedTest(name = "xbzrle on the destination too: {0}")
    @ValueSource(booleans = {false, true})
    void sweepingGuestMigratesWithXbzrle(boolean onDestination) throws Exception {
        try (GuestPair pair = pair()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.XBZRLE));
            if (onDestination) {
                pair.destination().setCapabilities(GuestPair.on(MigrationCapability.XBZRLE));
            }
            MigrationInfo done = migrateUntilEncodedThenConverge(pair);

            XbzrleCacheStats x = done.xbzrleCache().orElseThrow(() -> new AssertionError("no xbzrle-cache: " + done));
            MigrationStats ram = done.ram().orElseThrow();
            assertEquals(DEFAULT_CACHE, x.cacheSize(), x.toString());
            assertTrue(x.pages() > 0, x.toString());
            assertTrue(x.bytes() > 0, x.toString());
            assertTrue(x.cacheMiss() > 0, "the first XBZRLE pass finds the cache empty: " + x);
            assertTrue(x.encodingRate() > 0, x.toString());
            assertEquals(0, x.overflow(), "a one-byte change never overflows: " + x);
            // A swept page encodes in 3 bytes (zrun 0, nzrun 1, the byte): with the flag and the
            // length, 6 bytes of XBZRLE data per encoded page at most (page 0 of a pass names its block).
            assertTrue(x.bytes() <= x.pages() * (6 + 1 + "pc.ram".length()), x.toString());
            assertTrue(ram.dirtySyncCount() >= 4, ram.toString());
            assertTrue(pair.destination().queryMigrate().xbzrleCache().isEmpty(),
                    "a destination shows no statistics");
        }
    }

    @Test
    void xbzrleCountersAreNeverReset() throws Exception {
        try (GuestPair pair = pair()) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.XBZRLE));
            XbzrleCacheStats first = migrateUntilEncodedThenConverge(pair).xbzrleCache().orElseThrow();

            // A second migration to a fresh destination, converging from the start: it has far
            // fewer XBZRLE pages of its own than the first, so its figures show the sum.
            pair.source().cont();
            pair.discardDestination();
            pair.newDestination();
            pair.source().setParameters(Migrations.converge());
            pair.source().migrate(pair.listenTcp());
            MigrationInfo done = pair.assertCompleted();
            XbzrleCacheStats second = done.xbzrleCache().orElseThrow();
            assertTrue(second.pages() >= first.pages(), first + " then " + second);
            assertTrue(second.bytes() >= first.bytes(), first + " then " + second);
            assertTrue(second.cacheMiss() >= first.cacheMiss(), first + " then " + second);
            assertTrue(second.overflow() >= first.overflow(), first + " then " + second);
        }
    }

    @Test
    void pagesRewrittenWholeOverflowAndStillArriveIntact() throws Exception {
        try (GuestPair pair = pair()) {
            XbzrleGuest guest = (XbzrleGuest) pair.source().guest();
            // The 256 pages below the sweep.
            guest.scramble(pair.source().vmmWrites(), 0, GuestPair.SWEEP_FROM);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.XBZRLE));
            MigrationControl source = pair.source();
            source.setParameters(Migrations.nonConverge());
            source.migrate(pair.listenTcp());
            awaitXbzrle("overflowed pages", source, x -> x.overflow() > 0 && x.pages() > x.overflow());
            source.setParameters(Migrations.converge());
            MigrationInfo done = pair.assertCompleted();
            XbzrleCacheStats x = done.xbzrleCache().orElseThrow();
            assertTrue(guest.pagesScrambled() > 0);
            // Each overflow counts a whole page of XBZRLE bytes.
            assertTrue(x.bytes() >= x.overflow() * 4096, x.toString());
            assertTrue(done.ram().orElseThrow().normal() >= x.overflow(), "an overflow goes as a normal page: " + done);
        }
    }

    @Test
    void aLiveCacheSizeChangeResizesTheCache() throws Exception {
        try (GuestPair pair = pair()) {
            MigrationControl source = pair.source();
            source.setCapabilities(GuestPair.on(MigrationCapability.XBZRLE));
            // 256 slots for the sweep's 7680 pages: one page per slot hits, the rest miss.
            source.setParameters(MigrateSetParameters.builder().xbzrleCacheSize(MIB).build());
            source.setParameters(Migrations.nonConverge());
            source.migrate(pair.listenTcp());
            awaitXbzrle("the small cache missing", source, x -> x.pages() > 0 && x.cacheMissRate() > 0.5);
            assertEquals(MIB, xbzrle(source).cacheSize());

            // Big enough for every page: once each is inserted, every lookup hits.
            source.setParameters(MigrateSetParameters.builder().xbzrleCacheSize(DEFAULT_CACHE).build());
            assertEquals(DEFAULT_CACHE, xbzrle(source).cacheSize());
            awaitXbzrle("the grown cache hitting", source, x -> x.cacheMissRate() < 0.1);

            // And back down to 64 slots: what was cached for other slots is dropped.
            source.setParameters(MigrateSetParameters.builder().xbzrleCacheSize(MIB / 4).build());
            awaitXbzrle("the shrunk cache missing", source, x -> x.cacheMissRate() > 0.5);
            assertEquals(MIB / 4, xbzrle(source).cacheSize());

            source.setParameters(Migrations.converge());
            XbzrleCacheStats x = pair.assertCompleted().xbzrleCache().orElseThrow();
            assertEquals(MIB / 4, x.cacheSize());
            assertEquals(0, x.overflow(), x.toString());
        }
    }
}
