package dev.tern.core.state;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.CANCELLING;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.FAILED;
import static dev.tern.api.MigrationStatus.POSTCOPY_ACTIVE;
import static dev.tern.api.MigrationStatus.POSTCOPY_PAUSED;
import static dev.tern.api.MigrationStatus.POSTCOPY_RECOVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.Side;
import dev.tern.core.state.Recorder.Report;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads racing on one cell. Checked invariants: exactly one outcome per race, each
 * successful transition reported exactly once, and the reports of a cell forming one unbroken
 * chain (every report starts where the previous one ended).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StatusCellConcurrencyTest {
    private static final int THREADS = 8;
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private enum Role { CANCEL, FAIL, COMPLETE }

    @Test
    void cancelVersusFailureVersusCompletionHasExactlyOneOutcome() throws Exception {
        int cancelWins = 0;
        int failWins = 0;
        int completeWins = 0;
        for (int round = 0; round < 2000; round++) {
            Recorder rec = new Recorder();
            EventHub hub = new EventHub(() -> true, InstantSource.fixed(T0));
            hub.addStatusListener(rec);
            hub.addEventListener(rec);
            StatusCell cell = SpecTables.cellAt(Side.SOURCE, ACTIVE, hub);
            rec.clear();

            CountDownLatch go = new CountDownLatch(1);
            List<Role> roles = new ArrayList<>();
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                // Mostly cancellers and failers, one completer now and then.
                Role role = t == 0 && round % 3 == 0 ? Role.COMPLETE : (t % 2 == 0 ? Role.CANCEL : Role.FAIL);
                roles.add(role);
                results.add(pool.submit(racer(cell, role, go)));
            }
            go.countDown();
            int cancels = 0;
            int fails = 0;
            int completes = 0;
            for (int t = 0; t < THREADS; t++) {
                if (results.get(t).get()) {
                    switch (roles.get(t)) {
                        case CANCEL -> cancels++;
                        case FAIL -> fails++;
                        case COMPLETE -> completes++;
                    }
                }
            }

            MigrationStatus end = cell.get();
            List<Report> reports = rec.reports();
            assertEquals(cancels + fails + completes, reports.size(), "one report per successful transition");
            assertChain(ACTIVE, end, reports);
            assertEventsMirror(reports, rec.events());
            if (end == CANCELLING) {
                // The first cancel won; every other cancel re-entered cancelling; nobody else got in.
                assertEquals(0, fails + completes, "round " + round + ": " + reports);
                assertTrue(cancels >= 1);
                assertEquals(new Report(Side.SOURCE, ACTIVE, CANCELLING), reports.getFirst());
                cancelWins++;
            } else if (end == FAILED) {
                assertEquals(List.of(1, 0, 0), List.of(fails, cancels, completes), "round " + round + ": " + reports);
                failWins++;
            } else if (end == COMPLETED) {
                assertEquals(List.of(1, 0, 0), List.of(completes, cancels, fails), "round " + round + ": " + reports);
                completeWins++;
            } else {
                fail("round " + round + " ended in " + end);
            }
        }
        assertEquals(2000, cancelWins + failWins + completeWins);
    }

    private static Callable<Boolean> racer(StatusCell cell, Role role, CountDownLatch go) {
        return () -> {
            go.await();
            return switch (role) {
                case CANCEL -> cell.moveFromAny(StatusPredicates.runningStates(), CANCELLING).isPresent();
                case FAIL -> cell.compareAndSet(ACTIVE, FAILED);
                case COMPLETE -> cell.compareAndSet(ACTIVE, COMPLETED);
            };
        };
    }

    @Test
    void reportsStayInTransitionOrderUnderContention() throws Exception {
        // Every thread pushes the postcopy pause/recover cycle one step whenever it can; the
        // cycle makes every transition depend on the previous one, so any reordering of the
        // reports breaks the chain.
        Recorder rec = new Recorder();
        EventHub hub = new EventHub(() -> true, InstantSource.fixed(T0));
        hub.addStatusListener(rec);
        hub.addEventListener(rec);
        StatusCell cell = SpecTables.cellAt(Side.SOURCE, POSTCOPY_ACTIVE, hub);
        rec.clear();

        int target = 60_000;
        AtomicInteger done = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            results.add(pool.submit(() -> {
                go.await();
                int mine = 0;
                while (done.get() < target) {
                    MigrationStatus s = cell.get();
                    if (cell.compareAndSet(s, next(s))) {
                        mine++;
                        done.incrementAndGet();
                    }
                }
                return mine;
            }));
        }
        go.countDown();
        int successes = 0;
        for (Future<Integer> f : results) {
            successes += f.get();
        }

        List<Report> reports = rec.reports();
        assertEquals(successes, reports.size());
        assertEquals(successes, done.get());
        assertChain(POSTCOPY_ACTIVE, cell.get(), reports);
        assertEventsMirror(reports, rec.events());
    }

    private static MigrationStatus next(MigrationStatus s) {
        return switch (s) {
            case POSTCOPY_ACTIVE -> POSTCOPY_PAUSED;
            case POSTCOPY_PAUSED -> POSTCOPY_RECOVER;
            case POSTCOPY_RECOVER -> POSTCOPY_ACTIVE;
            default -> throw new AssertionError(s);
        };
    }

    private static void assertChain(MigrationStatus start, MigrationStatus end, List<Report> reports) {
        MigrationStatus at = start;
        for (int i = 0; i < reports.size(); i++) {
            Report r = reports.get(i);
            assertEquals(at, r.from(), "report " + i + " does not start where the previous ended: " + r);
            at = r.to();
        }
        assertEquals(end, at, "the last report does not end at the cell's status");
    }

    private static void assertEventsMirror(List<Report> reports, List<MigrationEvent> events) {
        assertEquals(reports.size(), events.size());
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(new MigrationStatusEvent(T0, reports.get(i).to()), events.get(i), "event " + i);
        }
    }
}
