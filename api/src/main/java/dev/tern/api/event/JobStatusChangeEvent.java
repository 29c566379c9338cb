package dev.tern.api.event;

import dev.tern.api.Qapi;
import dev.tern.api.job.JobStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * QAPI event {@code JOB_STATUS_CHANGE} (job.json): the snapshot jobs created by
 * {@code snapshot-save}, {@code snapshot-load} and {@code snapshot-delete} emit it at every
 * status change.
 *
 * @param timestamp when the status changed
 * @param id the job id (QAPI {@code id})
 * @param status the new status (QAPI {@code status})
 */
public record JobStatusChangeEvent(
        Instant timestamp,
        @Qapi(name = "id", type = "str") String id,
        @Qapi(name = "status", type = "JobStatus") JobStatus status) implements MigrationEvent {
    /** Checks that no member is null. */
    public JobStatusChangeEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String qapiName() {
        return "JOB_STATUS_CHANGE";
    }
}
