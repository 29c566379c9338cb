package dev.tern.core.precopy;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationPassEvent;
import dev.tern.api.event.MigrationStatusEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the events one VM emits, in order. */
final class EventLog implements MigrationEventListener {
    private final List<MigrationEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(MigrationEvent event) {
        events.add(event);
    }

    /** The statuses of the MIGRATION events, in order. */
    List<MigrationStatus> statuses() {
        return events.stream().filter(MigrationStatusEvent.class::isInstance)
                .map(e -> ((MigrationStatusEvent) e).status()).toList();
    }

    /** The pass numbers of the MIGRATION_PASS events, in order. */
    List<Long> passes() {
        return events.stream().filter(MigrationPassEvent.class::isInstance)
                .map(e -> ((MigrationPassEvent) e).pass()).toList();
    }
}
