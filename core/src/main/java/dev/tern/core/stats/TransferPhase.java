package dev.tern.core.stats;

/**
 * Which of the three byte counters a RAM byte written by the main-thread RAM code lands in, next
 * to {@code transferred} (spec §4.1, QEMU's {@code ram_transferred_add}). Multifd page bytes are
 * not routed through it: see {@link MigrationCounters#addMultifdBytes}.
 */
public enum TransferPhase {
    /** {@code precopy-bytes}: the VM run state was "running" when the bytes were written. */
    PRECOPY,
    /** {@code downtime-bytes}: VM stopped and not in postcopy (completion phase, stopped-VM migration). */
    DOWNTIME,
    /** {@code postcopy-bytes}: VM stopped and the source in a postcopy state. */
    POSTCOPY;

    /**
     * QEMU's choice, in its order: a running VM wins over postcopy.
     *
     * @param vmRunning whether the VM run state is "running" at the moment of the write
     * @param inPostcopy whether the source status is a postcopy state
     *     ({@link dev.tern.core.state.StatusPredicates#inPostcopy})
     * @return the phase whose counter the bytes are added to
     */
    public static TransferPhase of(boolean vmRunning, boolean inPostcopy) {
        if (vmRunning) {
            return PRECOPY;
        }
        return inPostcopy ? POSTCOPY : DOWNTIME;
    }
}
