package dev.tern.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Migration capability information
 *
 * QAPI struct {@code MigrationCapabilityStatus}. Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 1.2.
 *
 * @param capability capability enum (QAPI {@code capability})
 * @param state capability state bool (QAPI {@code state})
 */
public record MigrationCapabilityStatus(
        @Qapi(name = "capability", type = "MigrationCapability") MigrationCapability capability,
        @Qapi(name = "state", type = "bool") boolean state) {

    /** Checks required members and QAPI integer ranges. */
    public MigrationCapabilityStatus {
        Objects.requireNonNull(capability, "capability");
    }
}
