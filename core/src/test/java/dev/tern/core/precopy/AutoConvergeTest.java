package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Worked examples of spec 6.1 and 6.2. */
class AutoConvergeTest {
    private static final long PAGE = 4096;

    private static SyncPeriod.Closed period(long dirtyPages, long transferred) {
        return new SyncPeriod.Closed(1500, dirtyPages, transferred);
    }

    @Test
    void everySecondExceedingPeriodStepsAndGoodPeriodsDoNotResetTheCount() {
        AutoConverge ac = new AutoConverge();
        // dirty 100 pages = 409600 B; threshold 50% of 400000 = 200000: exceeding
        assertEquals(0, ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false));
        assertEquals(0, ac.evaluate(period(1, 400_000), PAGE, 50, 20, 10, 99, false), "good period");
        assertEquals(20, ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false), "2nd exceeding: initial");
        assertEquals(20, ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false));
        assertEquals(30, ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false), "4th: + increment");
    }

    @Test
    void equalToTheThresholdDoesNotCount() {
        AutoConverge ac = new AutoConverge();
        // 50 pages = 204800 B; 50% of 409600 = 204800: not greater
        for (int i = 0; i < 4; i++) {
            assertEquals(0, ac.evaluate(period(50, 409_600), PAGE, 50, 20, 10, 99, false));
        }
    }

    @Test
    void stepsAreCappedByMaxAndQemusTestRecipeSeesInitialFirst() {
        // /migration/auto_converge: initial 5, increment 50, max 95
        assertEquals(5, AutoConverge.step(0, 10, 1, 5, 50, 95, false));
        assertEquals(55, AutoConverge.step(5, 10, 1, 5, 50, 95, false));
        assertEquals(95, AutoConverge.step(55, 10, 1, 5, 50, 95, false));
        assertEquals(95, AutoConverge.step(95, 10, 1, 5, 50, 95, false));
    }

    @Test
    void tailslowTakesTheSmallerStepTowardsTheIdealShare() {
        // throttle 50: cpu_now 50; threshold/dirty = 0.9 -> ideal 45; gap 5 < increment 10
        assertEquals(55, AutoConverge.step(50, 1_000, 900, 20, 10, 99, true));
        // threshold/dirty = 0.5 -> ideal 25; gap 25 > 10 -> increment
        assertEquals(60, AutoConverge.step(50, 1_000, 500, 20, 10, 99, true));
    }

    @Test
    void stopResetsEverything() {
        AutoConverge ac = new AutoConverge();
        ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false);
        ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false);
        ac.stop();
        assertEquals(0, ac.throttle());
        assertEquals(0, ac.evaluate(period(100, 400_000), PAGE, 50, 20, 10, 99, false), "counter restarted");
    }
}
