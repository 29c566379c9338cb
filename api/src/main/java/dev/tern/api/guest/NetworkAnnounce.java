package dev.tern.api.guest;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The VM's network interfaces, announced by the destination after an incoming migration
 * (QEMU's self-announce: RARP broadcasts timed by the {@code announce-*} parameters).
 */
public interface NetworkAnnounce {
    /**
     * The NICs to announce.
     *
     * @return the NICs
     */
    List<Nic> nics();

    /** One network interface. */
    interface Nic {
        /**
         * The NIC's MAC address.
         *
         * @return six bytes
         */
        byte[] mac();

        /**
         * Puts an Ethernet frame on the NIC's backend, as if the guest sent it.
         *
         * @param frame the frame, positioned at its first byte
         */
        void send(ByteBuffer frame);

        /** The NIC's own announce hook (virtio-net asks the guest for gratuitous ARPs); default none. */
        default void announceHook() {
        }
    }
}
