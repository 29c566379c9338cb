package dev.tern.core.stream;

import dev.tern.api.MigrationCapability;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The configuration section's content (spec §8.2): what a source sends, or what a destination
 * compares a received configuration against ({@link ConfigurationCheck}).
 *
 * @param machineType the machine type name, for example {@code "none"}
 * @param targetPageBits {@code TARGET_PAGE_BITS}, 12 on x86
 * @param capabilities the validated capabilities that are on (only {@code x-ignore-shared} in 7.2);
 *     other capabilities are dropped
 * @param uuid the UUID to send (source) or the VM's UUID (destination)
 */
public record Configuration(String machineType, int targetPageBits, Set<MigrationCapability> capabilities,
        Optional<UUID> uuid) {
    /** Keeps only validated capabilities and copies the set. */
    public Configuration {
        Objects.requireNonNull(machineType, "machineType");
        Objects.requireNonNull(uuid, "uuid");
        EnumSet<MigrationCapability> validated = EnumSet.noneOf(MigrationCapability.class);
        for (MigrationCapability c : capabilities) {
            if (ConfigurationDescriptor.VALIDATED_CAPABILITIES.contains(c)) {
                validated.add(c);
            }
        }
        capabilities = Collections.unmodifiableSet(validated);
    }

    /**
     * What a source sends ({@code configuration_pre_save}): the UUID only when the VM has one and
     * {@code validate-uuid} is on.
     *
     * @param machineType the machine type
     * @param enabled the capabilities that are on
     * @param vmUuid the VM's UUID, if it has one
     * @return the configuration to write
     */
    public static Configuration outgoing(String machineType, Set<MigrationCapability> enabled, Optional<UUID> vmUuid) {
        Optional<UUID> sent = enabled.contains(MigrationCapability.VALIDATE_UUID) ? vmUuid : Optional.empty();
        return new Configuration(machineType, ConfigurationDescriptor.X86_TARGET_PAGE_BITS, enabled, sent);
    }

    /**
     * What a destination compares against: its machine type, the capabilities it has on and
     * its UUID (compared whenever the source sends one, whatever the local capabilities).
     *
     * @param machineType the local machine type
     * @param enabled the capabilities that are on locally
     * @param vmUuid the local VM's UUID, if it has one
     * @return the local configuration
     */
    public static Configuration local(String machineType, Set<MigrationCapability> enabled, Optional<UUID> vmUuid) {
        return new Configuration(machineType, ConfigurationDescriptor.X86_TARGET_PAGE_BITS, enabled, vmUuid);
    }
}
