package dev.tern.core.dirtyrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.core.dirtyrate.DirtyLimitControlLaw.Step;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of spec §11.6, each computed by hand. With the default 4096-entry ring,
 * ring_MB = 4096 × 4096 >> 20 = 16, so ring_full_time = 16 000 000 / max_rate µs.
 */
class DirtyLimitControlLawTest {
    private static final long RING = 4096;

    private static Step next(long quota, long current, long throttle, long maxRate) {
        return DirtyLimitControlLaw.next(quota, current, throttle, maxRate, RING);
    }

    @Test
    void withinToleranceAboveQuotaKeepsThrottleAndMaximum() {
        // |100 − 125| = 25 ≤ 25.
        assertEquals(new Step(500, 0), next(100, 125, 500, 0));
    }

    @Test
    void withinToleranceBelowQuotaKeepsThrottleAndMaximum() {
        // |100 − 75| = 25 ≤ 25.
        assertEquals(new Step(500, 0), next(100, 75, 500, 0));
    }

    @Test
    void justOutsideToleranceTakesAFixedStep() {
        // |100 − 126| = 26 > 25; max = 126; ring_full = 16e6 / 126 = 126984;
        // gap = 26 × 100 / 126 = 20 ≤ 50 → fixed step 126984 / 10 = 12698.
        assertEquals(new Step(12698, 126), next(100, 126, 0, 0));
    }

    @Test
    void zeroCurrentRateClearsTheThrottleWithoutTouchingTheMaximum() {
        assertEquals(new Step(0, 300), next(100, 0, 7000, 300));
    }

    @Test
    void zeroCurrentRateWithinToleranceOfASmallQuotaChangesNothing() {
        // |20 − 0| = 20 ≤ 25: the tolerance test comes before the zero test.
        assertEquals(new Step(7000, 300), next(20, 0, 7000, 300));
    }

    @Test
    void farOverQuotaTakesALinearStep() {
        // max = 400; ring_full = 16e6 / 400 = 40000; gap = 300 × 100 / 400 = 75 > 50;
        // pct = 75; step = 40000 × 75 / 25 = 120000.
        assertEquals(new Step(120000, 400), next(100, 400, 0, 0));
    }

    @Test
    void linearStepRoundsDown() {
        // max = 200; ring_full = 80000; gap = 102 × 100 / 200 = 51 > 50;
        // pct = 51; step = 80000 × 51 / 49 = 83265.3 → 83265.
        assertEquals(new Step(83265, 200), next(98, 200, 0, 0));
    }

    @Test
    void gapOfExactlyFiftyPercentTakesTheFixedStepAndUsesTheStaticMaximum() {
        // max stays 800 (> 200); ring_full = 16e6 / 800 = 20000; gap = 100 × 100 / 200 = 50,
        // not > 50 → fixed step 2000.
        assertEquals(new Step(2000, 800), next(100, 200, 0, 800));
    }

    @Test
    void slightlyOverQuotaAddsATenthOfTheRingFullTime() {
        // ring_full = 40000; gap = 100 × 100 / 400 = 25 → +4000.
        assertEquals(new Step(5000, 400), next(300, 400, 1000, 400));
    }

    @Test
    void slightlyUnderQuotaRemovesATenthOfTheRingFullTime() {
        // ring_full = 40000 (max 400); gap = 100 × 100 / 400 = 25 → −4000.
        assertEquals(new Step(1000, 400), next(400, 300, 5000, 400));
    }

    @Test
    void farUnderQuotaTakesALinearStepDown() {
        // ring_full = 40000; gap = 600 × 100 / 1000 = 60 > 50; pct = 60;
        // step = 40000 × 60 / 40 = 60000 → 100000 − 60000.
        assertEquals(new Step(40000, 400), next(1000, 400, 100000, 400));
    }

    @Test
    void throttleNeverGoesBelowZero() {
        // ring_full = 16e6 / 1600 = 10000; gap = 900 × 100 / 1000 = 90; pct = 90;
        // step = 10000 × 90 / 10 = 90000 → 50000 − 90000 < 0 → 0.
        assertEquals(new Step(0, 1600), next(1000, 100, 50000, 1600));
    }

    @Test
    void linearStepIsClampedAtNinetyNineRingFullTimes() {
        // ring_full = 16000; gap = 974 × 100 / 1000 = 97; pct = 97;
        // step = 16000 × 97 / 3 = 517333 → 4417333, clamped to 16000 × 99 = 1584000.
        assertEquals(new Step(1584000, 1000), next(26, 1000, 3_900_000, 1000));
    }

    @Test
    void fixedStepIsClampedAtNinetyNineRingFullTimes() {
        // ring_full = 40000; +4000 → 3963000, clamped to 3960000.
        assertEquals(new Step(3_960_000, 400), next(300, 400, 3_959_000, 400));
    }

    @Test
    void aLargerRateSeenBeforeShortensTheStep() {
        // max stays 1000; ring_full = 16000; pct = 75; step = 16000 × 3 = 48000.
        assertEquals(new Step(48000, 1000), next(100, 400, 0, 1000));
    }

    @Test
    void ringSizeScalesTheRingFullTime() {
        // 65536 entries → ring_MB = 256; ring_full = 256e6 / 400 = 640000; step = 640000 × 3.
        assertEquals(new Step(1_920_000, 400), DirtyLimitControlLaw.next(100, 400, 0, 0, 65536));
    }

    @Test
    void aRingSmallerThanOneMegabyteAllowsNoSleepAtAll() {
        // 128 entries × 4 KiB >> 20 = 0 → ring_full = 0 → clamp to [0, 0].
        assertEquals(new Step(0, 400), DirtyLimitControlLaw.next(100, 400, 5000, 0, 128));
    }
}
