package dev.tern.api.colo;

import dev.tern.api.Qapi;
import java.util.Objects;
import java.util.Optional;

/**
 * The result format for 'query-colo-status'.
 *
 * QAPI struct {@code COLOStatus}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 3.1.
 *
 * @param mode COLO running mode. If COLO is running, this field will return 'primary' or
 * 'secondary'. (QAPI {@code mode})
 * @param lastMode COLO last running mode. If COLO is running, this field will return same like
 * mode field, after failover we can use this field to get last colo mode. (since 4.0) (QAPI {@code
 * last-mode})
 * @param reason describes the reason for the COLO exit. (QAPI {@code reason})
 */
public record ColoStatus(
        @Qapi(name = "mode", type = "COLOMode") ColoMode mode,
        @Qapi(name = "last-mode", type = "COLOMode") ColoMode lastMode,
        @Qapi(name = "reason", type = "COLOExitReason") ColoExitReason reason) {

    /** Checks required members and QAPI integer ranges. */
    public ColoStatus {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(lastMode, "last-mode");
        Objects.requireNonNull(reason, "reason");
    }
}
