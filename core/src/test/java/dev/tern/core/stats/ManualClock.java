package dev.tern.core.stats;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand, in milliseconds. */
final class ManualClock implements InstantSource {
    private final AtomicLong millis;

    ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    void set(long m) {
        millis.set(m);
    }

    void advance(long delta) {
        millis.addAndGet(delta);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }
}
