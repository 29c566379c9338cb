package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransferWindowTest {

    @Test
    void thresholdIsZeroUntilTheFirstWindowCloses() {
        TransferWindow w = new TransferWindow();
        w.start(1000, 0, 0, 0);
        assertEquals(0, w.threshold());
        assertNull(w.update(1099, 5_000_000, 5_000_000, 100, 300));
        assertEquals(0, w.threshold());
    }

    @Test
    void closedWindowComputesBandwidthThresholdMbpsAndPageRate() {
        TransferWindow w = new TransferWindow();
        w.start(0, 1_000, 1_000, 10);
        TransferWindow.Closed c = w.update(200, 1_000 + 20_000_000, 20_001_000, 10 + 4_000, 300);
        assertEquals(20_000_000, c.bytes());
        assertEquals(200, c.millis());
        assertEquals(100_000.0, c.bandwidthBytesPerMilli());
        assertEquals(30_000_000, c.threshold(), "100000 B/ms x 300 ms");
        assertEquals(800.0, c.mbps(), 1e-9, "20 MB in 0.2 s = 800 Mbit/s");
        assertEquals(20_000, c.pagesPerSecond());
        assertEquals(30_000_000, w.threshold());
        assertNull(w.update(299, 1, 1, 1, 300), "a new window opened at 200");
    }

    @ParameterizedTest
    @CsvSource({"0, false", "9, false", "10, true", "134217728, true"})
    void belowTenBytesPerSecondMeansUnlimited(long maxBandwidth, boolean limits) {
        TransferWindow w = new TransferWindow();
        w.start(0, 0, 0, 0);
        w.setMaxBandwidth(maxBandwidth);
        assertEquals(limits, w.limited(Long.MAX_VALUE / 2));
    }

    @Test
    void budgetIsATenthPerWindowAndResetsWithTheWindow() {
        TransferWindow w = new TransferWindow();
        w.start(0, 0, 0, 0);
        w.setMaxBandwidth(1_000_000);
        assertFalse(w.limited(100_000), "exactly the budget is not over it");
        assertTrue(w.limited(100_001));
        w.update(100, 100_001, 100_001, 0, 300);
        assertFalse(w.limited(150_000));
        assertTrue(w.limited(200_002));
        w.unlimited();
        assertFalse(w.limited(Long.MAX_VALUE));
    }

    @Test
    void hugeUnsignedLimitIsNoLimit() {
        TransferWindow w = new TransferWindow();
        w.start(0, 0, 0, 0);
        w.setMaxBandwidth(-1); // 2^64 - 1 B/s, read unsigned: 1.8e18 bytes per window
        assertFalse(w.limited(1L << 50));
        assertTrue(w.limited(Long.MAX_VALUE), "the unsigned tenth is still a finite budget");
    }

    @Test
    void expectedDowntimeNeedsADirtyRateAndEnoughBytes() {
        TransferWindow.Closed c = new TransferWindow.Closed(20_000, 100, 200.0, 60_000, 1.6, 5);
        assertEquals(500, TransferWindow.expectedDowntime(c, 10, 100_000));
        assertEquals(-1, TransferWindow.expectedDowntime(c, 0, 100_000));
        TransferWindow.Closed small = new TransferWindow.Closed(10_000, 100, 100.0, 30_000, 0.8, 5);
        assertEquals(-1, TransferWindow.expectedDowntime(small, 10, 100_000));
    }

    @Test
    void millisToWindowEnd() {
        TransferWindow w = new TransferWindow();
        w.start(1_000, 0, 0, 0);
        assertEquals(60, w.millisToWindowEnd(1_040));
        assertEquals(0, w.millisToWindowEnd(1_500));
    }
}
