package dev.tern.api.event;

import dev.tern.api.Qapi;
import java.time.Instant;
import java.util.Objects;

/**
 * QAPI event {@code UNPLUG_PRIMARY}: emitted on the source in {@code wait-unplug} once the guest
 * has been asked to unplug a failover primary device.
 *
 * @param timestamp when the unplug was requested
 * @param deviceId the primary device's id (QAPI {@code device-id})
 */
public record UnplugPrimaryEvent(Instant timestamp, @Qapi(name = "device-id", type = "str") String deviceId)
        implements MigrationEvent {
    /** Checks that no member is null. */
    public UnplugPrimaryEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    @Override
    public String qapiName() {
        return "UNPLUG_PRIMARY";
    }
}
