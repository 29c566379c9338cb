package dev.tern.core.job;

import dev.tern.api.guest.BlockDevices;
import dev.tern.api.guest.BlockDevices.SnapshotStore;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * QEMU's {@code bdrv_all_*} snapshot helpers over the listed devices ({@code block/snapshot.c}).
 * Every operation resolves the list again, as each QEMU helper does. A guest without block
 * devices is a guest with no nodes.
 */
final class SnapshotDevices {
    private final Optional<BlockDevices> block;

    SnapshotDevices(Optional<BlockDevices> block) {
        this.block = block;
    }

    /**
     * {@code bdrv_all_get_snapshot_devices}: every listed name must be a node.
     *
     * @throws dev.tern.api.MigrationException "At least one device is required for snapshot",
     *     "No block device node '%s'"
     */
    List<String> resolve(List<String> devices) {
        if (devices.isEmpty()) {
            throw SnapshotErrors.noDevices();
        }
        Set<String> nodes = new HashSet<>(block.map(BlockDevices::nodeNames).orElse(List.of()));
        for (String device : devices) {
            if (!nodes.contains(device)) {
                throw SnapshotErrors.noNode(device);
            }
        }
        return devices;
    }

    /**
     * {@code bdrv_all_can_snapshot}: every listed node must take snapshots.
     *
     * @throws dev.tern.api.MigrationException the errors of {@link #resolve}, then "Device '%s' is
     *     writable but does not support snapshots"
     */
    void checkCanSnapshot(List<String> devices) {
        for (String device : resolve(devices)) {
            if (usableStore(device).isEmpty()) {
                throw SnapshotErrors.cannotSnapshot(device);
            }
        }
    }

    /** Whether {@code tag} exists on at least one listed node. */
    boolean anyHas(String tag, List<String> devices) {
        for (String device : resolve(devices)) {
            if (store(device).map(s -> s.exists(tag)).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /** {@code bdrv_all_has_snapshot}: whether {@code tag} exists on every listed node. */
    boolean allHave(String tag, List<String> devices) {
        for (String device : resolve(devices)) {
            if (!store(device).map(s -> s.exists(tag)).orElse(false)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code bdrv_all_find_vmstate_bs}: the store of the listed node named {@code vmstate}.
     *
     * @throws dev.tern.api.MigrationException the errors of {@link #resolve}, "vmstate block
     *     device '%s' does not support snapshots", "vmstate block device '%s' does not exist"
     */
    SnapshotStore vmstateStore(String vmstate, List<String> devices) {
        for (String device : resolve(devices)) {
            if (device.equals(vmstate)) {
                return usableStore(device).orElseThrow(() -> SnapshotErrors.vmstateCannotSnapshot(vmstate));
            }
        }
        throw SnapshotErrors.vmstateMissing(vmstate);
    }

    /**
     * {@code bdrv_all_create_snapshot}: creates {@code tag} on every listed node in order.
     *
     * @throws dev.tern.api.MigrationException "Could not create snapshot '%s' on '%s'" at the first
     *     node that fails
     */
    void createAll(String tag, List<String> devices) {
        for (String device : resolve(devices)) {
            SnapshotStore store = usableStore(device).orElseThrow(() -> SnapshotErrors.createFailed(tag, device));
            try {
                store.create(tag);
            } catch (IOException e) {
                throw SnapshotErrors.createFailed(tag, device);
            }
        }
    }

    /**
     * {@code bdrv_all_goto_snapshot}: reverts every listed node to {@code tag}, in order.
     *
     * @throws dev.tern.api.MigrationException "Could not load snapshot '%s' on '%s': ..." at the
     *     first node that fails
     */
    void revertAll(String tag, List<String> devices) {
        for (String device : resolve(devices)) {
            try {
                requireStore(device).revert(tag);
            } catch (IOException e) {
                throw SnapshotErrors.loadFailed(tag, device, e);
            }
        }
    }

    /**
     * {@code bdrv_all_delete_snapshot}: deletes {@code tag} on every listed node that has it, in
     * order; nodes without it are skipped, so a tag that exists nowhere is no error.
     *
     * @throws dev.tern.api.MigrationException "Could not delete snapshot '%s' on '%s': ..." at the
     *     first node that fails
     */
    void deleteAll(String tag, List<String> devices) {
        for (String device : resolve(devices)) {
            Optional<SnapshotStore> store = store(device);
            if (store.isEmpty() || !store.get().exists(tag)) {
                continue;
            }
            try {
                store.get().delete(tag);
            } catch (IOException e) {
                throw SnapshotErrors.deleteFailed(tag, device, e);
            }
        }
    }

    private Optional<SnapshotStore> store(String device) {
        return block.flatMap(b -> b.snapshots(device));
    }

    /**
     * QEMU's {@code bdrv_can_snapshot}: the node has snapshot storage and is writable (a read-only
     * node cannot take a snapshot either, and QEMU reports it with the same "is writable" text).
     */
    private Optional<SnapshotStore> usableStore(String device) {
        return store(device).filter(SnapshotStore::writable);
    }

    private SnapshotStore requireStore(String device) throws IOException {
        return store(device).orElseThrow(() -> new IOException("node '" + device + "' has no snapshot storage"));
    }
}
