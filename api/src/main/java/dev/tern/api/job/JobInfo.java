package dev.tern.api.job;

import dev.tern.api.Qapi;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Information about a job (job.json), as {{@code code} query-jobs} returns it.
 *
 * QAPI struct {@code JobInfo}. Optional members are {@code Optional}, {@code OptionalLong}, {@code
 * OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code size},
 * {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 3.0.
 *
 * @param id The job identifier (QAPI {@code id})
 * @param type The kind of job that is being performed (QAPI {@code type})
 * @param status Current job state/status (QAPI {@code status})
 * @param currentProgress Progress made until now. The unit is arbitrary and the value can only
 * meaningfully be used for the ratio of current-progress to total-progress. The value is
 * monotonically increasing. (QAPI {@code current-progress})
 * @param totalProgress Estimated current-progress value at the completion of the job. (QAPI {@code
 * total-progress})
 * @param error If this field is present, the job failed; if it is still missing in the CONCLUDED
 * state, this indicates successful completion. The value is a human-readable error message to
 * describe the reason for the job failure. (QAPI {@code error}, optional)
 */
public record JobInfo(
        @Qapi(name = "id", type = "str") String id,
        @Qapi(name = "type", type = "JobType") JobType type,
        @Qapi(name = "status", type = "JobStatus") JobStatus status,
        @Qapi(name = "current-progress", type = "int64") long currentProgress,
        @Qapi(name = "total-progress", type = "int64") long totalProgress,
        @Qapi(name = "error", type = "str") Optional<String> error) {

    /** Checks required members and QAPI integer ranges. */
    public JobInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
    }

    /**
     * Starts a builder with every optional member absent.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a builder holding this record's members.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.type = type;
        b.status = status;
        b.currentProgress = currentProgress;
        b.totalProgress = totalProgress;
        b.error = error;
        return b;
    }

    /** Fluent builder of {@link JobInfo}. */
    public static final class Builder {
        private String id;
        private JobType type;
        private JobStatus status;
        private long currentProgress = 0;
        private long totalProgress = 0;
        private Optional<String> error = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code id}.
         *
         * @param value The job identifier
         * @return this builder
         */
        public Builder id(String value) {
            this.id = value;
            return this;
        }

        /**
         * Sets {@code type}.
         *
         * @param value The kind of job that is being performed
         * @return this builder
         */
        public Builder type(JobType value) {
            this.type = value;
            return this;
        }

        /**
         * Sets {@code status}.
         *
         * @param value Current job state/status
         * @return this builder
         */
        public Builder status(JobStatus value) {
            this.status = value;
            return this;
        }

        /**
         * Sets {@code current-progress}.
         *
         * @param value Progress made until now. The unit is arbitrary and the value can only meaningfully be used for the ratio of current-progress to total-progress. The value is monotonically increasing.
         * @return this builder
         */
        public Builder currentProgress(long value) {
            this.currentProgress = value;
            return this;
        }

        /**
         * Sets {@code total-progress}.
         *
         * @param value Estimated current-progress value at the completion of the job.
         * @return this builder
         */
        public Builder totalProgress(long value) {
            this.totalProgress = value;
            return this;
        }

        /**
         * Sets {@code error}.
         *
         * @param value If this field is present, the job failed; if it is still missing in the CONCLUDED state, this indicates successful completion. The value is a human-readable error message to describe the reason for the job failure.
         * @return this builder
         */
        public Builder error(String value) {
            this.error = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public JobInfo build() {
            return new JobInfo(id, type, status, currentProgress, totalProgress, error);
        }
    }
}
