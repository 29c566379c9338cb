package dev.tern.api.event;

import dev.tern.api.MigrationStatus;

/**
 * Observes every status transition of either side, whatever the {@code events} capability says:
 * this is how an embedder follows a migration without polling. Called on the thread that made
 * the transition; keep it short and do not block.
 */
@FunctionalInterface
public interface MigrationStatusListener {
    /**
     * Called after a transition took effect.
     *
     * @param side the side whose status changed
     * @param from the previous status
     * @param to the new status
     */
    void statusChanged(Side side, MigrationStatus from, MigrationStatus to);
}
