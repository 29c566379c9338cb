package dev.tern.core.stream;

import dev.tern.api.MigrationCapability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * Writes and reads the configuration section (spec §8.2, QEMU {@code vmstate_configuration});
 * layout in {@link ConfigurationDescriptor}. Semantic checks are {@link ConfigurationCheck}'s.
 */
public final class ConfigurationCodec {
    /** Bytes of a received machine type kept for the comparison and the message. */
    public static final int MAX_RETAINED_NAME = 4096;

    private static final Set<String> SUBSECTIONS = Set.of(ConfigurationDescriptor.TARGET_PAGE_BITS,
            ConfigurationDescriptor.CAPABILITIES, ConfigurationDescriptor.UUID);

    private ConfigurationCodec() {
    }

    /**
     * Writes the CONFIGURATION byte and the configuration vmstate.
     *
     * @param out the stream, right after the header
     * @param config what to send
     */
    public static void write(StreamWriter out, Configuration config) {
        byte[] name = config.machineType().getBytes(StandardCharsets.UTF_8);
        out.put8(StreamHeaderDescriptor.CONFIGURATION);
        out.put32(name.length);
        out.putBytes(name);
        if (config.targetPageBits() > ConfigurationDescriptor.X86_TARGET_PAGE_BITS) {
            VmStateSubsections.writeHeader(out, ConfigurationDescriptor.TARGET_PAGE_BITS,
                    ConfigurationDescriptor.SUBSECTION_VERSION);
            out.put32(config.targetPageBits());
        }
        if (!config.capabilities().isEmpty()) {
            VmStateSubsections.writeHeader(out, ConfigurationDescriptor.CAPABILITIES,
                    ConfigurationDescriptor.SUBSECTION_VERSION);
            out.put32(config.capabilities().size());
            for (MigrationCapability c : config.capabilities()) {
                out.putCountedString(c.qapiName());
            }
        }
        if (config.uuid().isPresent()) {
            VmStateSubsections.writeHeader(out, ConfigurationDescriptor.UUID, ConfigurationDescriptor.SUBSECTION_VERSION);
            UUID u = config.uuid().get();
            out.put64(u.getMostSignificantBits());
            out.put64(u.getLeastSignificantBits());
        }
    }

    /**
     * Reads the CONFIGURATION byte and the configuration vmstate.
     *
     * @param in the stream, right after the header
     * @return what was received
     * @throws StreamFormatException "Configuration section missing", "Received unknown capability %s",
     *     an unknown configuration subsection, or a subsection version error
     * @throws IOException on end of stream or channel failure
     */
    public static ReceivedConfiguration read(StreamReader in) throws IOException {
        if (in.get8() != StreamHeaderDescriptor.CONFIGURATION) {
            throw StreamFormatException.configurationMissing();
        }
        long length = in.get32();
        // Keep the name up to its first NUL, at most MAX_RETAINED_NAME bytes; skip the rest.
        byte[] kept = new byte[(int) Math.min(length, MAX_RETAINED_NAME)];
        in.getBytes(kept);
        in.skip(length - kept.length);
        int end = 0;
        while (end < kept.length && kept[end] != 0) {
            end++;
        }
        String machineType = new String(kept, 0, end, StandardCharsets.ISO_8859_1);
        boolean terminated = end < kept.length;

        OptionalInt pageBits = OptionalInt.empty();
        Optional<Set<MigrationCapability>> capabilities = Optional.empty();
        Optional<UUID> uuid = Optional.empty();
        VmStateSubsections.Subsection sub;
        while ((sub = VmStateSubsections.next(in, ConfigurationDescriptor.VMSD_NAME, SUBSECTIONS)) != null) {
            VmStateSubsections.checkVersion(sub.name(), sub.versionId(), ConfigurationDescriptor.SUBSECTION_VERSION,
                    ConfigurationDescriptor.SUBSECTION_VERSION);
            switch (sub.name()) {
                case ConfigurationDescriptor.TARGET_PAGE_BITS -> pageBits = OptionalInt.of((int) in.get32());
                case ConfigurationDescriptor.CAPABILITIES -> capabilities = Optional.of(readCapabilities(in));
                default -> uuid = Optional.of(new UUID(in.get64(), in.get64()));
            }
        }
        return new ReceivedConfiguration(machineType, terminated, pageBits, capabilities, uuid);
    }

    private static Set<MigrationCapability> readCapabilities(StreamReader in) throws IOException {
        long count = in.get32();
        EnumSet<MigrationCapability> received = EnumSet.noneOf(MigrationCapability.class);
        byte[] name = new byte[255];
        for (long i = 0; i < count; i++) {
            int n = in.get8();
            in.getBytes(name, 0, n);
            String text = StreamReader.cString(name, n);
            MigrationCapability match = null;
            for (MigrationCapability c : MigrationCapability.values()) {
                if (c.qapiName().equals(text)) {
                    match = c;
                    break;
                }
            }
            if (match == null) {
                throw StreamFormatException.unknownCapability(text);
            }
            received.add(match);
        }
        return received;
    }
}
