package dev.tern.core.stream;

import java.util.Objects;

/**
 * A section record's header as read from the stream.
 *
 * @param type {@link StreamHeaderDescriptor#SECTION_START}, {@code _PART}, {@code _END} or {@code _FULL}
 * @param sectionId the sender's section id (a be32, kept as its 32 bits)
 * @param idstr the section name; empty for PART and END
 * @param instanceId the instance id; 0 for PART and END
 * @param versionId the sender's version; 0 for PART and END
 */
public record SectionHeader(int type, int sectionId, String idstr, int instanceId, int versionId) {
    /** Checks the type. */
    public SectionHeader {
        Objects.requireNonNull(idstr, "idstr");
        if (type < StreamHeaderDescriptor.SECTION_START || type > StreamHeaderDescriptor.SECTION_FULL) {
            throw new IllegalArgumentException("not a section type: " + type);
        }
    }

    /**
     * Whether this header names its section (START or FULL).
     *
     * @return true for START and FULL
     */
    public boolean named() {
        return type == StreamHeaderDescriptor.SECTION_START || type == StreamHeaderDescriptor.SECTION_FULL;
    }
}
