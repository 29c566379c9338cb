package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.event.Side;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records status reports and events, in arrival order; safe to call from several threads. */
final class Recorder implements MigrationStatusListener, MigrationEventListener {
    /** One status report. */
    record Report(Side side, MigrationStatus from, MigrationStatus to) {
        @Override
        public String toString() {
            return side + " " + from + "->" + to;
        }
    }

    private final List<Report> reports = Collections.synchronizedList(new ArrayList<>());
    private final List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void statusChanged(Side side, MigrationStatus from, MigrationStatus to) {
        reports.add(new Report(side, from, to));
    }

    @Override
    public void onEvent(MigrationEvent event) {
        events.add(event);
    }

    List<Report> reports() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    List<MigrationEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    void clear() {
        reports.clear();
        events.clear();
    }
}
