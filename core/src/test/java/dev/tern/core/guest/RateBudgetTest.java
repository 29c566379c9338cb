package dev.tern.core.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-slice write budget behind the workloads' page rates. */
class RateBudgetTest {

    @ParameterizedTest(name = "{0} pages/s")
    @ValueSource(longs = {1, 7, 99, 100, 150, 1234, 1_000_000})
    void aSecondOfSlicesWritesExactlyTheRate(long rate) {
        RateBudget budget = new RateBudget(rate);
        long total = 0;
        long ceiling = (rate + 99) / 100;
        for (int slice = 0; slice < 100; slice++) {
            long b = budget.nextSlice();
            assertTrue(b <= ceiling, "slice " + slice + " allows " + b);
            total += b;
        }
        assertEquals(rate, total);
    }

    @Test
    void unlimitedHasNoBudget() {
        assertEquals(Long.MAX_VALUE, new RateBudget(-1).nextSlice());
        assertEquals(-1, RateBudget.share(0, 4, 0), "0 pages/s means as fast as possible");
    }

    @Test
    void theGuestRateIsSplitEvenlyWithTheRemainderFirst() {
        assertEquals(3, RateBudget.share(10, 4, 0));
        assertEquals(3, RateBudget.share(10, 4, 1));
        assertEquals(2, RateBudget.share(10, 4, 2));
        assertEquals(2, RateBudget.share(10, 4, 3));
        assertEquals(0, RateBudget.share(1, 2, 1), "a vCPU can get no writes at all, not unlimited ones");
        assertEquals(0, new RateBudget(0).nextSlice());
    }
}
