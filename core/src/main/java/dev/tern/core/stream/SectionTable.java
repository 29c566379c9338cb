package dev.tern.core.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The destination's section handlers (QEMU's {@code savevm_state.handlers} on load): START and
 * FULL headers are matched by {@code (idstr, instance_id)}, which binds the sender's section id
 * to the handler; PART and END headers are resolved by that bound id (spec §8.1, "section ids
 * are the sender's registration indices").
 *
 * <p>QEMU's alias instance ids and legacy "compat" names are not modelled: Tern's sections have
 * neither. Unlike QEMU, whose zero-initialised {@code load_section_id} lets a PART with id 0 reach
 * the first never-started handler, a PART/END id must have been bound by a START/FULL.
 *
 * @param <H> the handler type
 */
public final class SectionTable<H> {
    private final List<Entry<H>> entries = new ArrayList<>();

    /** An empty table. */
    public SectionTable() {
    }

    /**
     * Registers a local handler, in registration order.
     *
     * @param idstr the section name
     * @param instanceId the instance id
     * @param versionId the newest version the handler loads
     * @param handler the handler
     * @throws IllegalArgumentException if {@code (idstr, instanceId)} is registered already
     */
    public void register(String idstr, int instanceId, int versionId, H handler) {
        Objects.requireNonNull(idstr, "idstr");
        Objects.requireNonNull(handler, "handler");
        for (Entry<H> e : entries) {
            if (e.idstr.equals(idstr) && e.instanceId == instanceId) {
                throw new IllegalArgumentException("section '" + idstr + "' instance " + instanceId
                        + " is registered already");
            }
        }
        entries.add(new Entry<>(idstr, instanceId, versionId, handler));
    }

    /**
     * Resolves a section header to its handler: START/FULL bind, PART/END look the id up.
     *
     * @param header the header just read
     * @return the bound section
     * @throws StreamFormatException "Unknown savevm section or instance '%s' %u. ...",
     *     "savevm: unsupported version %d for '%s' v%d" or "Unknown savevm section %d"
     */
    public Bound<H> resolve(SectionHeader header) throws StreamFormatException {
        return header.named() ? bind(header) : lookup(header.sectionId());
    }

    private Bound<H> bind(SectionHeader header) throws StreamFormatException {
        for (Entry<H> e : entries) {
            if (e.idstr.equals(header.idstr()) && e.instanceId == header.instanceId()) {
                // QEMU compares the uint32 version as an unsigned number against the local one.
                if (Integer.compareUnsigned(header.versionId(), e.versionId) > 0) {
                    throw StreamFormatException.unsupportedSectionVersion(header.versionId(), header.idstr(),
                            e.versionId);
                }
                e.loadVersionId = header.versionId();
                e.loadSectionId = header.sectionId();
                e.bound = true;
                return e.bound();
            }
        }
        throw StreamFormatException.unknownSectionOrInstance(header.idstr(), header.instanceId());
    }

    private Bound<H> lookup(int sectionId) throws StreamFormatException {
        for (Entry<H> e : entries) {
            if (e.bound && e.loadSectionId == sectionId) {
                return e.bound();
            }
        }
        throw StreamFormatException.unknownSection(sectionId);
    }

    /**
     * A handler with the ids the sender used for it.
     *
     * @param <H> the handler type
     * @param handler the handler
     * @param idstr the section name
     * @param instanceId the instance id
     * @param sectionId the sender's section id, expected in the footer
     * @param versionId the version the sender wrote, at most the local one
     */
    public record Bound<H>(H handler, String idstr, int instanceId, int sectionId, int versionId) {
    }

    private static final class Entry<H> {
        final String idstr;
        final int instanceId;
        final int versionId;
        final H handler;
        boolean bound;
        int loadSectionId;
        int loadVersionId;

        Entry(String idstr, int instanceId, int versionId, H handler) {
            this.idstr = idstr;
            this.instanceId = instanceId;
            this.versionId = versionId;
            this.handler = handler;
        }

        Bound<H> bound() {
            return new Bound<>(handler, idstr, instanceId, loadSectionId, loadVersionId);
        }
    }
}
