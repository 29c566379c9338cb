package dev.tern.core.job;

import dev.tern.api.job.JobInfo;
import dev.tern.api.job.JobStatus;
import dev.tern.api.job.JobType;
import java.util.Optional;

/** One job's mutable state; {@link SnapshotJobs} guards every access with its lock. */
final class SnapshotJob {
    private final String id;
    private final JobType type;
    private JobStatus status = JobStatus.UNDEFINED;
    private long currentProgress;
    private long totalProgress;
    private Optional<String> error = Optional.empty();

    SnapshotJob(String id, JobType type) {
        this.id = id;
        this.type = type;
    }

    String id() {
        return id;
    }

    JobStatus status() {
        return status;
    }

    void status(JobStatus next) {
        status = next;
    }

    /** QEMU's {@code job_progress_set_remaining(job, 1)} with nothing done yet. */
    void workStarted() {
        totalProgress = currentProgress + 1;
    }

    /** QEMU's {@code job_progress_update(job, 1)}. */
    void workEnded() {
        currentProgress++;
    }

    void failed(String message) {
        error = Optional.of(message);
    }

    JobInfo info() {
        return new JobInfo(id, type, status, currentProgress, totalProgress, error);
    }
}
