package dev.tern.api.guest;

/**
 * Write protection of guest RAM (userfaultfd write-protect on Linux), used by
 * {@code background-snapshot} to save each page before the guest changes it.
 */
public interface WriteProtection {
    /**
     * Whether the host kernel supports write-protect faults at all.
     *
     * @return true if it does
     */
    boolean hostSupported();

    /**
     * Whether a block's memory type can be write-protected.
     *
     * @param block the block
     * @return true if it can
     */
    boolean supports(RamBlock block);

    /**
     * Write-protects a whole block and reports write attempts.
     *
     * @param block the block
     * @param handler told about each write fault, on a fault thread
     */
    void protect(RamBlock block, WriteFaultHandler handler);

    /**
     * Removes protection from a range so the waiting writer continues.
     *
     * @param block the block
     * @param offset the first byte
     * @param length the number of bytes
     */
    void unprotect(RamBlock block, long offset, long length);

    /** Receives write faults. */
    @FunctionalInterface
    interface WriteFaultHandler {
        /**
         * A vCPU tried to write a protected page.
         *
         * @param block the block
         * @param offset the page-aligned offset
         */
        void writeFault(RamBlock block, long offset);
    }
}
