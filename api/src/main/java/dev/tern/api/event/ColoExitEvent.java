package dev.tern.api.event;

import dev.tern.api.Qapi;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import java.time.Instant;
import java.util.Objects;

/**
 * QAPI event {@code COLO_EXIT}: the VM left COLO mode, after a failover request or an error.
 *
 * @param timestamp when COLO ended
 * @param mode the COLO mode the VM was in (QAPI {@code mode})
 * @param reason why it ended (QAPI {@code reason})
 */
public record ColoExitEvent(
        Instant timestamp,
        @Qapi(name = "mode", type = "COLOMode") ColoMode mode,
        @Qapi(name = "reason", type = "COLOExitReason") ColoExitReason reason) implements MigrationEvent {
    /** Checks that no member is null. */
    public ColoExitEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String qapiName() {
        return "COLO_EXIT";
    }
}
