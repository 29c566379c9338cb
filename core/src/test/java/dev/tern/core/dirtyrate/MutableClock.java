package dev.tern.core.dirtyrate;

import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when the test moves it. */
final class MutableClock implements InstantSource {
    private volatile long millis;

    MutableClock(long millis) {
        this.millis = millis;
    }

    void advance(long delta) {
        millis += delta;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
