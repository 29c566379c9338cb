package dev.tern.api.event;

/**
 * Receives the schema's events exactly when QMP would emit them (so {@code MIGRATION} and
 * {@code MIGRATION_PASS} only while the {@code events} capability is on). Called on an engine
 * thread; keep it short and do not block.
 */
@FunctionalInterface
public interface MigrationEventListener {
    /**
     * Called once per event, in the order the events happened.
     *
     * @param event the event
     */
    void onEvent(MigrationEvent event);
}
