package dev.tern.api.event;

import dev.tern.api.MigrationStatus;
import dev.tern.api.Qapi;
import java.time.Instant;
import java.util.Objects;

/**
 * QAPI event {@code MIGRATION}: the migration status changed. QEMU emits it only while the
 * {@code events} capability is on, except the destination's {@code setup} event when an incoming
 * listener starts, which is unconditional.
 *
 * @param timestamp when the status changed
 * @param status the new status (QAPI {@code status})
 */
public record MigrationStatusEvent(Instant timestamp, @Qapi(name = "status", type = "MigrationStatus") MigrationStatus status)
        implements MigrationEvent {
    /** Checks that no member is null. */
    public MigrationStatusEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String qapiName() {
        return "MIGRATION";
    }
}
