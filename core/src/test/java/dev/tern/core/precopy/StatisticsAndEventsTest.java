package dev.tern.core.precopy;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.SETUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.MigrationStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3 section 5: statistics, MIGRATION and MIGRATION_PASS events, query-migrate on both sides. */
@Timeout(120)
class StatisticsAndEventsTest {

    @Test
    void eventsAndStatisticsOfAMigrationThatTakesSeveralPasses() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            EventLog srcEvents = new EventLog();
            EventLog dstEvents = new EventLog();
            pair.source().addEventListener(srcEvents);
            pair.destination().addEventListener(dstEvents);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.destination().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.source().setParameters(Migrations.nonConverge());

            String uri = pair.listenTcp();
            assertEquals(List.of(SETUP), dstEvents.statuses(), "migrate-incoming announces the listener");
            pair.source().migrate(uri);
            Migrations.awaitStatus(pair.source(), ACTIVE);
            // Let the bulk pass run under the 30 MB/s limit for a while before converging.
            Migrations.await("a few MB sent", pair.source(),
                    () -> pair.source().queryMigrate().ram().map(MigrationStats::transferred).orElse(0L) > 4 << 20);
            MigrationInfo active = pair.source().queryMigrate();
            assertEquals(ACTIVE, active.status().orElseThrow());
            assertTrue(active.ram().isPresent(), "ram while active: " + active);
            assertTrue(active.totalTime().isPresent(), "total-time while active: " + active);
            assertTrue(active.setupTime().isPresent(), "setup-time while active: " + active);
            assertTrue(active.expectedDowntime().isPresent(), "expected-downtime while active: " + active);
            assertTrue(active.downtime().isEmpty(), "no downtime while active: " + active);
            assertTrue(active.errorDesc().isEmpty(), active.toString());
            MigrationStats activeRam = active.ram().orElseThrow();
            assertEquals(GuestPair.RAM, activeRam.total());
            assertTrue(activeRam.remaining() > 0 && activeRam.remaining() <= GuestPair.RAM, activeRam.toString());
            assertEquals(4096, activeRam.pageSize());
            assertEquals(activeRam.transferred(), activeRam.precopyBytes(), "nothing sent while stopped yet");

            MigrationInfo loading = pair.destination().queryMigrate();
            assertEquals(ACTIVE, loading.status().orElseThrow());
            assertTrue(loading.ram().isEmpty() && loading.totalTime().isEmpty()
                    && loading.expectedDowntime().isEmpty(), "no statistics on the destination: " + loading);

            pair.source().setParameters(Migrations.converge());
            MigrationInfo done = pair.assertCompleted();
            MigrationStats ram = done.ram().orElseThrow();

            assertTrue(done.downtime().isPresent(), done.toString());
            assertTrue(done.expectedDowntime().isEmpty(), "no expected-downtime once completed: " + done);
            assertTrue(done.totalTime().isPresent() && done.setupTime().isPresent(), done.toString());
            assertTrue(done.totalTime().getAsLong() >= done.downtime().getAsLong(), done.toString());
            assertEquals(0, ram.remaining());
            assertEquals(0, ram.dirtyPagesRate());
            assertEquals(0, ram.skipped());
            assertEquals(GuestPair.RAM, ram.total());
            assertEquals(ram.normal() * 4096, ram.normalBytes());
            assertTrue(ram.normal() + ram.duplicate() >= GuestPair.RAM / 4096, ram.toString());
            assertTrue(ram.transferred() >= ram.normalBytes(), ram.toString());
            assertEquals(ram.transferred(), ram.precopyBytes() + ram.downtimeBytes(), ram.toString());
            assertTrue(ram.downtimeBytes() > 0, "the stopped guest's last dirty pages: " + ram);
            assertEquals(0, ram.postcopyBytes());
            assertEquals(0, ram.multifdBytes());
            assertTrue(ram.dirtySyncCount() >= 2, ram.toString());
            // The final mbps is over every byte of the stream (spec 4.2), so the bytes it implies
            // are at least the RAM bytes counted in transferred.
            long interval = done.totalTime().getAsLong() - done.setupTime().getAsLong();
            double streamBytes = ram.mbps() * interval * 1000 / 8;
            assertTrue(streamBytes >= ram.transferred() * (1 - 1e-9),
                    "final mbps implies " + streamBytes + " bytes over " + interval + " ms: " + done);

            assertEquals(List.of(SETUP, ACTIVE, COMPLETED), srcEvents.statusesUntil(COMPLETED));
            assertEquals(LongStream.rangeClosed(1, ram.dirtySyncCount()).boxed().toList(), srcEvents.passes(),
                    "one MIGRATION_PASS per dirty sync, numbered from 1");
            assertEquals(List.of(SETUP, ACTIVE, COMPLETED), dstEvents.statusesUntil(COMPLETED));
            assertEquals(List.of(), dstEvents.passes(), "the destination syncs nothing");

            MigrationInfo dst = pair.destination().queryMigrate();
            assertEquals(COMPLETED, dst.status().orElseThrow());
            assertTrue(dst.ram().isEmpty() && dst.totalTime().isEmpty() && dst.downtime().isEmpty(),
                    "no statistics on the destination: " + dst);
        }
    }

    @Test
    void queryMigrateInSetupShowsTheStatusOnlyAndExpectedDowntimeStartsAtTheLimit() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().setParameters(MigrateSetParameters.builder().downtimeLimit(1234).build());
            Map<MigrationStatus, MigrationInfo> seen = new ConcurrentHashMap<>();
            // Status listeners run on the thread making the transition, so the query sees the
            // state at that instant: setup before anything was sent, active before a window closed.
            pair.source().addStatusListener((side, from, to) -> {
                if (side == Side.SOURCE && (to == SETUP || to == ACTIVE)) {
                    seen.put(to, pair.source().queryMigrate());
                }
            });
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();

            MigrationInfo setup = seen.get(SETUP);
            assertEquals(SETUP, setup.status().orElseThrow());
            assertEquals(MigrationInfo.builder().status(SETUP).build(), setup, "setup shows the status only");
            MigrationInfo active = seen.get(ACTIVE);
            assertEquals(1234, active.expectedDowntime().orElseThrow(), "expected-downtime starts at downtime-limit");
            assertEquals(1, active.ram().orElseThrow().dirtySyncCount(), "the setup's sync");
        }
    }

    @Test
    void withoutTheEventsCapabilityOnlyTheListenerAnnouncementIsEmitted() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            EventLog srcEvents = new EventLog();
            EventLog dstEvents = new EventLog();
            pair.source().addEventListener(srcEvents);
            pair.destination().addEventListener(dstEvents);
            List<String> srcTransitions = new CopyOnWriteArrayList<>();
            List<String> dstTransitions = new CopyOnWriteArrayList<>();
            pair.source().addStatusListener((side, from, to) -> srcTransitions.add(side + " " + from.qapiName()
                    + "->" + to.qapiName()));
            pair.destination().addStatusListener((side, from, to) -> dstTransitions.add(side + " " + from.qapiName()
                    + "->" + to.qapiName()));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();

            assertEquals(List.of(), srcEvents.statuses());
            assertEquals(List.of(), srcEvents.passes());
            assertEquals(List.of(SETUP), dstEvents.statuses(), "the destination's setup event is unconditional");
            // A transition can be read before its listeners ran (another thread may be delivering).
            Migrations.await("all transitions delivered", pair.source(),
                    () -> srcTransitions.size() >= 3 && dstTransitions.size() >= 2);
            assertEquals(List.of("SOURCE none->setup", "SOURCE setup->active", "SOURCE active->completed"),
                    srcTransitions);
            assertEquals(List.of("DESTINATION none->active", "DESTINATION active->completed"), dstTransitions);
        }
    }

    @Test
    void countersStartAgainAtTheNextMigration() throws Exception {
        try (GuestPair pair = GuestPair.create()) {
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
            pair.source().cont();
            EventLog events = new EventLog();
            pair.source().addEventListener(events);
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.EVENTS));
            pair.newDestination();
            pair.source().migrate(pair.listenTcp());
            MigrationStats again = pair.assertCompleted().ram().orElseThrow();
            assertEquals(LongStream.rangeClosed(1, again.dirtySyncCount()).boxed().toList(), events.passes(),
                    "dirty-sync-count starts from 0 again");
            assertEquals(again.transferred(), again.precopyBytes() + again.downtimeBytes(), again.toString());
            assertEquals(List.of(SETUP, ACTIVE, COMPLETED), events.statusesUntil(COMPLETED));
        }
    }
}
