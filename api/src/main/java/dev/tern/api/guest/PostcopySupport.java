package dev.tern.api.guest;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Missing-page faults on the destination (userfaultfd on Linux): what postcopy needs to run a
 * guest before all of its RAM arrived.
 */
public interface PostcopySupport {
    /**
     * Probes the host as QEMU does before postcopy may be enabled (userfaultfd present, API
     * handshake, huge-page support, page-multiple block lengths).
     *
     * @return empty if postcopy can work, else the reason it cannot
     */
    Optional<String> unsupportedReason();

    /**
     * Drops a range of RAM so that a later access faults (QEMU discards all RAM at advise).
     *
     * @param block the block
     * @param offset the first byte
     * @param length the number of bytes
     */
    void discard(RamBlock block, long offset, long length);

    /**
     * Starts reporting missing-page faults in the block.
     *
     * @param block the block
     * @param handler told about each fault, on a fault thread
     */
    void arm(RamBlock block, PageFaultHandler handler);

    /**
     * Installs a whole host page atomically and wakes the threads waiting for it.
     *
     * @param block the block
     * @param offset the host-page-aligned offset
     * @param page the page contents, one host page long
     */
    void place(RamBlock block, long offset, MemorySegment page);

    /**
     * Stops reporting faults in the block.
     *
     * @param block the block
     */
    void disarm(RamBlock block);

    /** Receives missing-page faults. */
    @FunctionalInterface
    interface PageFaultHandler {
        /**
         * A thread touched a page that is not there yet.
         *
         * @param block the block
         * @param offset the host-page-aligned offset
         * @param vcpu the faulting vCPU, or -1 if the fault did not come from a vCPU thread
         */
        void missing(RamBlock block, long offset, int vcpu);
    }
}
