package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SyncPeriodTest {

    @Test
    void periodClosesOnlyMoreThanASecondAfterItOpened() {
        SyncPeriod p = new SyncPeriod();
        assertNull(p.sync(0, 100, 0));
        assertNull(p.sync(600, 50, 1_000));
        assertNull(p.sync(1_000, 25, 2_000), "exactly 1000 ms does not close it");
        SyncPeriod.Closed c = p.sync(1_001, 25, 3_000);
        assertEquals(1_001, c.millis());
        assertEquals(200, c.dirtyPages());
        assertEquals(3_000, c.transferredBytes());
        assertEquals(199, c.dirtyPagesRate(), "200 pages x 1000 / 1001 ms, integer");
        assertNull(p.sync(1_500, 7, 4_000), "a new period opened at 1001");
        assertEquals(7 + 3, p.sync(2_002, 3, 5_000).dirtyPages());
    }
}
