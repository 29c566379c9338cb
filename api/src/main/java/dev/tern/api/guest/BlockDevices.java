package dev.tern.api.guest;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * The VM's block layer, as far as migration touches it: image ownership around switchover
 * ({@code late-block-activate}) and the internal snapshots that {@code snapshot-save},
 * {@code snapshot-load} and {@code snapshot-delete} manage.
 */
public interface BlockDevices {
    /**
     * The block node names, as the snapshot commands' {@code devices} name them.
     *
     * @return the node names
     */
    List<String> nodeNames();

    /** Releases image locks and flushes, before the destination takes the images over. */
    default void inactivate() {
    }

    /** Takes image locks again (on the destination, or on a source whose migration failed). */
    default void activate() {
    }

    /**
     * Snapshot storage of one node.
     *
     * @param nodeName the node
     * @return the node's snapshots, or empty if the node cannot hold snapshots
     */
    Optional<SnapshotStore> snapshots(String nodeName);

    /** The internal snapshots of one block node. */
    interface SnapshotStore {
        /**
         * Whether the node is writable (a writable node that cannot snapshot blocks snapshot-save).
         *
         * @return true if writable
         */
        boolean writable();

        /**
         * Whether a snapshot with this tag exists.
         *
         * @param tag the snapshot tag
         * @return true if it exists
         */
        boolean exists(String tag);

        /**
         * Creates a disk snapshot named {@code tag}.
         *
         * @param tag the tag
         * @throws IOException if the snapshot cannot be created
         */
        void create(String tag) throws IOException;

        /**
         * Reverts the node to a snapshot.
         *
         * @param tag the tag
         * @throws IOException if the revert fails
         */
        void revert(String tag) throws IOException;

        /**
         * Deletes a snapshot.
         *
         * @param tag the tag
         * @throws IOException if the delete fails
         */
        void delete(String tag) throws IOException;

        /**
         * Opens the VM-state area of a snapshot for writing (the migration stream of the VM).
         *
         * @param tag the tag
         * @return a channel that the caller closes
         * @throws IOException if it cannot be opened
         */
        WritableByteChannel writeVmState(String tag) throws IOException;

        /**
         * Opens the VM-state area of a snapshot for reading.
         *
         * @param tag the tag
         * @return the channel, or empty for a disk-only snapshot
         * @throws IOException if it cannot be opened
         */
        Optional<ReadableByteChannel> readVmState(String tag) throws IOException;
    }
}
