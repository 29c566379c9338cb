package dev.tern.core.stream;

import dev.tern.api.MigrationCapability;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The destination's checks of a received configuration, in QEMU 7.2's order: the uuid
 * subsection's post-load first ({@code vmstate_uuid_post_load}), then the parent's
 * ({@code configuration_post_load}): machine type, target page bits, validated capabilities.
 */
public final class ConfigurationCheck {
    private ConfigurationCheck() {
    }

    /**
     * Compares a received configuration with the local one.
     *
     * @param received what the source sent
     * @param local the destination's configuration
     * @return warnings to log (a UUID received by a destination without one)
     * @throws StreamFormatException "UUID received is %s and local is %s",
     *     "Machine type received is '%.*s' and local is '%s'",
     *     "Received TARGET_PAGE_BITS is %d but local is %d", or one
     *     "Capability %s is %s, but received capability is %s" line per mismatch
     */
    public static List<String> check(ReceivedConfiguration received, Configuration local)
            throws StreamFormatException {
        List<String> warnings = new ArrayList<>();
        if (received.uuid().isPresent()) {
            UUID theirs = received.uuid().get();
            Optional<UUID> ours = local.uuid();
            if (ours.isEmpty()) {
                // A user may not know the UUID, e.g. when loading an old snapshot: QEMU only warns.
                warnings.add(StreamFormatException.uuidNotSetWarning(theirs));
            } else if (!ours.get().equals(theirs)) {
                throw StreamFormatException.uuidMismatch(theirs, ours.get());
            }
        }
        if (!machineTypeMatches(received, local.machineType())) {
            throw StreamFormatException.machineTypeMismatch(received.machineType(), local.machineType());
        }
        int pageBits = received.targetPageBits().orElse(ConfigurationDescriptor.X86_TARGET_PAGE_BITS);
        if (pageBits != local.targetPageBits()) {
            throw StreamFormatException.targetPageBitsMismatch(pageBits, local.targetPageBits());
        }
        Set<MigrationCapability> theirs = received.capabilities().orElse(Set.of());
        List<String> mismatches = new ArrayList<>();
        for (MigrationCapability c : MigrationCapability.values()) {
            if (!ConfigurationDescriptor.VALIDATED_CAPABILITIES.contains(c)) {
                continue;
            }
            boolean source = theirs.contains(c);
            boolean target = local.capabilities().contains(c);
            if (source != target) {
                mismatches.add(StreamFormatException.capabilityMismatchText(c.qapiName(), target, source));
            }
        }
        if (!mismatches.isEmpty()) {
            throw StreamFormatException.capabilityMismatch(mismatches);
        }
        return warnings;
    }

    /**
     * QEMU's {@code strncmp(received, local, received_len) == 0}: only the received length counts,
     * so a received name that is a prefix of the local one passes, unless a NUL ends it early,
     * in which case the local name must end at the same place.
     */
    static boolean machineTypeMatches(ReceivedConfiguration received, String local) {
        byte[] ours = local.getBytes(StandardCharsets.UTF_8);
        byte[] theirs = received.machineType().getBytes(StandardCharsets.ISO_8859_1);
        if (ours.length < theirs.length) {
            return false;
        }
        for (int i = 0; i < theirs.length; i++) {
            if (ours[i] != theirs[i]) {
                return false;
            }
        }
        return !received.machineTypeTerminated() || ours.length == theirs.length;
    }
}
