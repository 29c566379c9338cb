package dev.tern.core.job;

import dev.tern.api.MigrationException;
import dev.tern.api.RunState;
import dev.tern.api.guest.BlockDevices.SnapshotStore;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * The work of the three snapshot jobs: QEMU 7.2's {@code save_snapshot} (overwrite off),
 * {@code load_snapshot} with the VM stop around it, and {@code delete_snapshot} (spec §13.2–13.4).
 * Every failure is a {@link MigrationException} whose message becomes the job's error.
 */
final class InternalSnapshots {
    private final SnapshotHost host;
    private final SnapshotDevices devices;

    InternalSnapshots(SnapshotHost host, SnapshotDevices devices) {
        this.host = host;
        this.devices = devices;
    }

    /**
     * {@code snapshot-save}: checks, stops the guest, writes the VM state to the vmstate node,
     * creates the tag on every listed node (deleting it again everywhere if one node fails), and
     * restarts the guest if it was running, whatever the outcome.
     */
    void save(String tag, String vmstate, List<String> list) {
        List<String> blockers = host.migrationBlockers();
        if (!blockers.isEmpty()) {
            throw SnapshotErrors.blocked(blockers.getFirst());
        }
        devices.checkCanSnapshot(list);
        // QEMU's bdrv_all_has_snapshot answers "on every device", contrary to its message; the
        // spec's "on any device" is kept, so that the rollback below can never delete a snapshot
        // that existed before this job.
        if (devices.anyHas(tag, list)) {
            throw SnapshotErrors.tagExists(tag);
        }
        SnapshotStore vmstateStore = devices.vmstateStore(vmstate, list);

        boolean wasRunning = host.pauseVm(RunState.SAVE_VM);
        try {
            writeVmState(vmstateStore, tag);
            try {
                devices.createAll(tag, list);
            } catch (MigrationException e) {
                deleteQuietly(tag, list);
                throw e;
            }
        } finally {
            if (wasRunning) {
                host.resumeVm();
            }
        }
    }

    /** QEMU's {@code qemu_savevm_state} into the vmstate node's state area. */
    private void writeVmState(SnapshotStore store, String tag) {
        if (host.migrationRunning()) {
            throw SnapshotErrors.migrationRunning();
        }
        if (host.blockMigrationEnabled()) {
            throw SnapshotErrors.blockMigrationOn();
        }
        WritableByteChannel out;
        try {
            out = store.writeVmState(tag);
        } catch (IOException e) {
            throw SnapshotErrors.cannotOpenVmState();
        }
        try (out) {
            host.saveVmState(out);
        } catch (IOException e) {
            throw SnapshotErrors.writeVmStateFailed(e);
        }
    }

    /** The rollback after a failed create: errors are ignored, as QEMU passes no error pointer. */
    private void deleteQuietly(String tag, List<String> list) {
        try {
            devices.deleteAll(tag, list);
        } catch (MigrationException ignored) {
            // QEMU's rollback also stops at the first node it cannot clean.
        }
    }

    /**
     * {@code snapshot-load}: stops the guest ({@code restore-vm}), checks, reverts every listed
     * node and loads the VM state; restarts the guest only if the load succeeded and the guest
     * was running.
     */
    void load(String tag, String vmstate, List<String> list) {
        boolean wasRunning = host.pauseVm(RunState.RESTORE_VM);
        loadStopped(tag, vmstate, list);
        if (wasRunning) {
            host.resumeVm();
        }
    }

    private void loadStopped(String tag, String vmstate, List<String> list) {
        devices.checkCanSnapshot(list);
        if (!devices.allHave(tag, list)) {
            throw SnapshotErrors.tagMissing(tag);
        }
        SnapshotStore vmstateStore = devices.vmstateStore(vmstate, list);
        Optional<ReadableByteChannel> state;
        try {
            state = vmstateStore.readVmState(tag);
        } catch (IOException e) {
            throw SnapshotErrors.cannotOpenVmState();
        }
        // Like QEMU, refuse a disk-only snapshot before any node is reverted.
        ReadableByteChannel in = state.orElseThrow(SnapshotErrors::diskOnly);
        try (in) {
            devices.revertAll(tag, list);
            try {
                host.loadVmState(in);
            } catch (IOException e) {
                throw SnapshotErrors.loadVmStateFailed(e);
            }
        } catch (IOException closeFailure) {
            // Only the close of a fully read stream can land here; the load itself succeeded.
        }
    }

    /**
     * {@code snapshot-delete}: checks the devices, then deletes the tag where it exists; the guest
     * keeps running.
     */
    void delete(String tag, List<String> list) {
        devices.checkCanSnapshot(list);
        devices.deleteAll(tag, list);
    }
}
