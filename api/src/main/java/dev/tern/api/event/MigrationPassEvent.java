package dev.tern.api.event;

import dev.tern.api.Qapi;
import java.time.Instant;
import java.util.Objects;

/**
 * QAPI event {@code MIGRATION_PASS}: emitted on the source at every dirty-bitmap synchronisation
 * while the {@code events} capability is on.
 *
 * @param timestamp when the synchronisation happened
 * @param pass the {@code dirty-sync-count} after the synchronisation (QAPI {@code pass})
 */
public record MigrationPassEvent(Instant timestamp, @Qapi(name = "pass", type = "int64") long pass)
        implements MigrationEvent {
    /** Checks that no member is null. */
    public MigrationPassEvent {
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String qapiName() {
        return "MIGRATION_PASS";
    }
}
