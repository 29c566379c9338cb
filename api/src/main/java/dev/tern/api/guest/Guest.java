package dev.tern.api.guest;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The virtual machine a VMM hands to Tern: its RAM, its device state and whatever control over
 * it the VMM can offer. Only {@link #machineType()} and {@link #ramBlocks()} are required; every
 * other facility is an optional, small interface, and the engine names the one that is missing
 * when a capability or command needs it (for example "auto-converge needs VcpuControl").
 *
 * <p>The engine calls these methods from its own threads; implementations must be thread-safe
 * where a method's documentation says the engine may call it concurrently with the guest running.
 */
public interface Guest {
    /**
     * The machine type, sent in the stream's configuration section and compared by the
     * destination (QEMU compares only the received length, so a prefix of the local name passes).
     *
     * @return for example {@code "none"} or {@code "pc-q35-7.2"}
     */
    String machineType();

    /**
     * The RAM blocks in RAM-list order (the order the MEM_SIZE record lists them).
     *
     * @return the blocks; the list must not change while a migration runs
     */
    List<RamBlock> ramBlocks();

    /**
     * Device-state sections in registration order; each is sent once, as a FULL section, when
     * the source completes.
     *
     * @return the sections
     */
    default List<DeviceSection> devices() {
        return List.of();
    }

    /**
     * The VM's UUID ({@code -uuid} in QEMU): sent with {@code validate-uuid} and required to be
     * equal on both sides for multifd.
     *
     * @return the UUID, if the VM has one
     */
    default Optional<UUID> uuid() {
        return Optional.empty();
    }

    /**
     * Reasons that forbid migration, as QEMU's migration blockers: each is reported in
     * {@code query-migrate}'s {@code blocked-reasons} and makes {@code migrate} fail.
     *
     * @return the current blockers' messages, most recently added first
     */
    default List<String> migrationBlockers() {
        return List.of();
    }

    /**
     * Tracking of pages the guest writes. Required to migrate a running guest.
     *
     * @return the dirty log, if the VMM has one
     */
    default Optional<DirtyLog> dirtyLog() {
        return Optional.empty();
    }

    /**
     * Pause, resume and throttle of the vCPUs. Required for switchover of a running guest and
     * for auto-converge.
     *
     * @return the vCPU control, if any
     */
    default Optional<VcpuControl> vcpus() {
        return Optional.empty();
    }

    /**
     * Per-vCPU dirty rings (KVM's dirty ring). Required by {@code calc-dirty-rate} in
     * {@code dirty-ring} mode and by the vCPU dirty limit.
     *
     * @return the dirty ring, if the VMM uses one
     */
    default Optional<DirtyRing> dirtyRing() {
        return Optional.empty();
    }

    /**
     * Missing-page fault handling for postcopy on the destination.
     *
     * @return postcopy support, if the host and VMM offer it
     */
    default Optional<PostcopySupport> postcopy() {
        return Optional.empty();
    }

    /**
     * Write protection of guest RAM for {@code background-snapshot}.
     *
     * @return write protection, if the host and VMM offer it
     */
    default Optional<WriteProtection> writeProtection() {
        return Optional.empty();
    }

    /**
     * Block devices: activation around switchover and snapshot storage.
     *
     * @return the block layer, if the VM has one
     */
    default Optional<BlockDevices> blockDevices() {
        return Optional.empty();
    }

    /**
     * Network interfaces to announce after an incoming migration.
     *
     * @return the announcer, if the VM has NICs
     */
    default Optional<NetworkAnnounce> networkAnnounce() {
        return Optional.empty();
    }

    /**
     * Failover primary devices that must be unplugged before migration ({@code wait-unplug}).
     *
     * @return the unplug control, if the VM has failover pairs
     */
    default Optional<FailoverUnplug> failoverUnplug() {
        return Optional.empty();
    }
}
