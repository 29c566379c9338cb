package dev.tern.api.guest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One device's state, migrated as a FULL section of the stream (QEMU's vmstate sections). The
 * destination matches sections by {@code (idstr, instanceId)} and refuses a newer version.
 */
public interface DeviceSection {
    /**
     * The section id string, for example {@code "timer"}.
     *
     * @return at most 255 bytes of UTF-8
     */
    String idstr();

    /**
     * The instance number of the device, 0 for a singleton.
     *
     * @return the instance id
     */
    default int instanceId() {
        return 0;
    }

    /**
     * The version of the state layout this side writes and reads.
     *
     * @return the version id
     */
    int versionId();

    /**
     * Whether the section is sent at all (QEMU's "needed" hook).
     *
     * @return true to send it
     */
    default boolean needed() {
        return true;
    }

    /**
     * Writes the state, big-endian as vmstate is. Called with the vCPUs stopped.
     *
     * @param out the section payload
     * @throws IOException if the channel fails
     */
    void save(DataOutput out) throws IOException;

    /**
     * Reads state written by a source of the given version (at most {@link #versionId()}).
     *
     * @param in the section payload
     * @param versionId the sender's version
     * @throws IOException if the payload is malformed or the channel fails
     */
    void load(DataInput in, int versionId) throws IOException;
}
