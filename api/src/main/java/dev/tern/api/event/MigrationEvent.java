package dev.tern.api.event;

import java.time.Instant;

/**
 * An event of the migration schema, as QMP would emit it. Every event records when it happened;
 * the record components annotated with {@link dev.tern.api.Qapi} are the event's QAPI
 * {@code data} members.
 */
public sealed interface MigrationEvent
        permits MigrationStatusEvent, MigrationPassEvent, ColoExitEvent, UnplugPrimaryEvent, JobStatusChangeEvent {
    /**
     * When the event happened (QMP {@code timestamp}, wall clock with microsecond precision).
     *
     * @return the instant
     */
    Instant timestamp();

    /**
     * The QAPI event name, for example {@code MIGRATION}.
     *
     * @return the name
     */
    String qapiName();
}
