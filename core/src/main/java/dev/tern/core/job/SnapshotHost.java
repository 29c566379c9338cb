package dev.tern.core.job;

import dev.tern.api.RunState;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * What the snapshot jobs need from the VM; the engine implements it. The jobs call it from
 * their worker thread.
 */
public interface SnapshotHost {
    /**
     * The current migration blockers ({@code migrate} refuses for the same reasons).
     *
     * @return the blockers' messages; when not empty, {@code snapshot-save} fails with the first
     */
    List<String> migrationBlockers();

    /**
     * Whether an outgoing migration is active; {@code snapshot-save} then fails with
     * "There's a migration process in progress".
     *
     * @return true while a migration runs
     */
    boolean migrationRunning();

    /**
     * Whether the {@code block} migration capability is on; {@code snapshot-save} then fails with
     * "Block migration and snapshots are incompatible". Defaults to false for a host without
     * block migration.
     *
     * @return true if the capability is on
     */
    default boolean blockMigrationEnabled() {
        return false;
    }

    /**
     * Stops the guest and enters {@code reason} ({@code save-vm} or {@code restore-vm}), as
     * QEMU's {@code vm_stop}; a guest that is not running only changes run state.
     *
     * @param reason the run state to enter
     * @return whether the guest was running before
     */
    boolean pauseVm(RunState reason);

    /** Starts the guest again ({@code vm_start}); called only if {@link #pauseVm} returned true. */
    void resumeVm();

    /**
     * Writes the VM's complete migration stream (header, configuration, every section, EOF) to
     * {@code out}, as an in-process migration without rate limit ({@code qemu_savevm_state}).
     *
     * @param out where the stream goes; the caller closes it
     * @throws IOException if writing fails
     */
    void saveVmState(WritableByteChannel out) throws IOException;

    /**
     * Resets the machine and loads a migration stream into it ({@code qemu_system_reset} and
     * {@code qemu_loadvm_state}).
     *
     * @param in the stream; the caller closes it
     * @throws IOException if the stream cannot be read or does not fit the VM
     */
    void loadVmState(ReadableByteChannel in) throws IOException;
}
