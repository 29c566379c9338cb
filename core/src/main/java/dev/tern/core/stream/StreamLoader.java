package dev.tern.core.stream;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The destination's record loop (QEMU {@code qemu_loadvm_state}, {@code qemu_loadvm_state_main}):
 * header and configuration, then sections and commands until EOF, then the VMDESCRIPTION. Sections
 * are dispatched through a {@link SectionTable}; the loader reads headers and checks footers, the
 * handlers read the data in between. Commands go to one handler, which may end the loop
 * ({@code LOADVM_QUIT}, e.g. after POSTCOPY_RUN).
 */
public final class StreamLoader {
    /** Loads one section's data; the header has been read and resolved, the footer is checked after. */
    @FunctionalInterface
    public interface SectionHandler {
        /**
         * Reads the section's data.
         *
         * @param in the stream, after the header
         * @param header the header as read
         * @param versionId the version the sender wrote (for PART/END, the one of its START)
         * @throws IOException if the data is malformed or the stream fails
         */
        void load(StreamReader in, SectionHeader header, int versionId) throws IOException;
    }

    /** Handles a command whose header has been read and validated. */
    @FunctionalInterface
    public interface CommandHandler {
        /**
         * Reads the command's payload and acts on it.
         *
         * @param in the stream, after the command header
         * @param command the command and its payload length
         * @return true to stop loading here ({@code LOADVM_QUIT})
         * @throws IOException if the command is refused or the stream fails
         */
        boolean handle(StreamReader in, CommandCodec.Command command) throws IOException;
    }

    /** How {@link #loadRecords()} ended. */
    public enum Outcome {
        /** The EOF record: the device state is complete. */
        EOF,
        /** A command asked to stop. */
        QUIT
    }

    private final StreamReader in;
    private final SectionTable<SectionHandler> sections;
    private final CommandHandler commands;

    /**
     * A loader.
     *
     * @param in the main channel's stream
     * @param sections the local section handlers
     * @param commands the command handler
     */
    public StreamLoader(StreamReader in, SectionTable<SectionHandler> sections, CommandHandler commands) {
        this.in = Objects.requireNonNull(in, "in");
        this.sections = Objects.requireNonNull(sections, "sections");
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    /**
     * Reads and checks the header and the configuration.
     *
     * @param local the destination's configuration
     * @return warnings to log
     * @throws StreamFormatException the header and configuration errors of {@link StreamHeader},
     *     {@link ConfigurationCodec} and {@link ConfigurationCheck}
     * @throws IOException on end of stream or channel failure
     */
    public List<String> loadPrologue(Configuration local) throws IOException {
        StreamHeader.read(in);
        return ConfigurationCheck.check(ConfigurationCodec.read(in), local);
    }

    /**
     * Processes records until EOF or a command's stop.
     *
     * @return how it ended
     * @throws StreamFormatException "Unknown savevm section type %d", the section and footer errors,
     *     or a handler's; a handler's unchecked exception becomes "error while loading state ..."
     * @throws IOException on end of stream or channel failure
     */
    public Outcome loadRecords() throws IOException {
        while (true) {
            int type = in.get8();
            switch (type) {
                case StreamHeaderDescriptor.SECTION_START, StreamHeaderDescriptor.SECTION_PART,
                        StreamHeaderDescriptor.SECTION_END, StreamHeaderDescriptor.SECTION_FULL -> loadSection(type);
                case StreamHeaderDescriptor.COMMAND -> {
                    if (commands.handle(in, CommandCodec.readHeader(in))) {
                        return Outcome.QUIT;
                    }
                }
                case StreamHeaderDescriptor.EOF -> {
                    return Outcome.EOF;
                }
                default -> throw StreamFormatException.unknownSectionType(type);
            }
        }
    }

    /**
     * Reads and discards the VMDESCRIPTION after EOF.
     *
     * @return a warning when something else followed EOF
     * @throws IOException on channel failure
     */
    public Optional<String> discardVmDescription() throws IOException {
        return VmDescriptionReader.discard(in);
    }

    private void loadSection(int type) throws IOException {
        SectionHeader header = SectionFraming.readHeader(in, type);
        SectionTable.Bound<SectionHandler> bound = sections.resolve(header);
        try {
            bound.handler().load(in, header, bound.versionId());
        } catch (RuntimeException e) {
            throw header.named()
                    ? StreamFormatException.loadStateFailed(bound.instanceId(), bound.idstr(), e)
                    : StreamFormatException.loadSectionFailed(bound.sectionId(), bound.idstr(), e);
        }
        SectionFraming.checkFooter(in, bound.idstr(), bound.sectionId());
    }
}
