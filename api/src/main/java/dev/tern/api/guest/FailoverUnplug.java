package dev.tern.api.guest;

import java.util.List;

/**
 * Failover pairs (virtio-net STANDBY with a primary, typically a passed-through NIC): the
 * primaries are unplugged by the guest before migration and plugged back if it fails.
 */
public interface FailoverUnplug {
    /**
     * The primary devices that must be unplugged before migration.
     *
     * @return device ids
     */
    List<String> primaries();

    /**
     * Asks the guest to unplug a primary.
     *
     * @param deviceId the device
     */
    void requestUnplug(String deviceId);

    /**
     * Whether any requested unplug has not finished yet.
     *
     * @return true while the engine must stay in {@code wait-unplug}
     */
    boolean unplugPending();

    /**
     * Plugs a primary back after a failed or cancelled migration.
     *
     * @param deviceId the device
     */
    void replug(String deviceId);
}
