package dev.tern.core.stream;

import dev.tern.api.MigrationCapability;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * A configuration section as read, before {@link ConfigurationCheck} compares it.
 *
 * @param machineType the received name up to its first NUL (at most
 *     {@link ConfigurationCodec#MAX_RETAINED_NAME} bytes are kept, decoded as ISO-8859-1)
 * @param machineTypeTerminated whether a NUL ended the name before its declared length; QEMU's
 *     {@code strncmp} then needs the local name to end there too
 * @param targetPageBits the target-page-bits subsection, if sent
 * @param capabilities the capabilities subsection, if sent
 * @param uuid the uuid subsection, if sent
 */
public record ReceivedConfiguration(String machineType, boolean machineTypeTerminated, OptionalInt targetPageBits,
        Optional<Set<MigrationCapability>> capabilities, Optional<UUID> uuid) {
    /** Checks for nulls. */
    public ReceivedConfiguration {
        Objects.requireNonNull(machineType, "machineType");
        Objects.requireNonNull(targetPageBits, "targetPageBits");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(uuid, "uuid");
    }
}
