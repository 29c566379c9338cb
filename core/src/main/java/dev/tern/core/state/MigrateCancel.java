package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * The status part of QMP {@code migrate_cancel} (QEMU's {@code migrate_fd_cancel}, spec §14.12):
 * a CAS loop that moves any running source status to {@code cancelling}, releasing the
 * {@code pre-switchover} pause on the way. The caller does the rest around it: shut down the
 * return-path input before, the main channel and block-device reactivation after.
 *
 * <table>
 *   <caption>effect per source status</caption>
 *   <tr><th>status</th><th>effect</th></tr>
 *   <tr><td>none, completed, failed, cancelled, colo</td><td>nothing; the command still succeeds</td></tr>
 *   <tr><td>setup, wait-unplug, active, device, postcopy-*, cancelling</td><td>→ cancelling</td></tr>
 *   <tr><td>pre-switchover</td><td>releases the pause, then → cancelling</td></tr>
 * </table>
 */
public final class MigrateCancel {
    private MigrateCancel() {
    }

    /**
     * Moves the source to {@code cancelling} if it is running.
     *
     * @param source the source status
     * @param pause the source's pause-before-switchover handshake, released after a cancel from
     *     {@code pre-switchover}
     * @return the status the source was cancelled from, or empty when it was not running
     * @throws IllegalArgumentException if {@code source} is a destination cell, or
     *     {@code pause} belongs to another cell
     * @throws NullPointerException if an argument is null
     */
    public static Optional<MigrationStatus> moveToCancelling(StatusCell source, SwitchoverPause pause) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pause, "pause");
        if (pause.source() != source) {
            throw new IllegalArgumentException("the pause-before-switchover handshake belongs to another status cell");
        }
        Optional<MigrationStatus> from = source.moveFromAny(StatusPredicates.runningStates(), MigrationStatus.CANCELLING);
        // Release the paused thread only once the status says cancelling: released first (QEMU
        // posts inside its loop), it could win the move to device and start the switchover.
        if (from.isPresent() && from.get() == MigrationStatus.PRE_SWITCHOVER) {
            pause.release();
        }
        return from;
    }
}
