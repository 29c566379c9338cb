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

    /**
     * The statuses once the last one is {@code last}: a status can be read before its event has
     * been delivered (the thread delivering the previous one delivers it), so wait for it.
     */
    List<MigrationStatus> statusesUntil(MigrationStatus last) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<MigrationStatus> now = statuses();
        while ((now.isEmpty() || now.getLast() != last) && System.nanoTime() < deadline) {
            Thread.sleep(2);
            now = statuses();
        }
        return now;
    }

    /** The pass numbers of the MIGRATION_PASS events, in order. */
    List<Long> passes() {
        return events.stream().filter(MigrationPassEvent.class::isInstance)
                .map(e -> ((MigrationPassEvent) e).pass()).toList();
    }
}
