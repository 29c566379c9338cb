package dev.tern.api.job;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * Indicates the present state of a given job in its lifetime (job.json).
 *
 * QAPI enum {@code JobStatus}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 2.12.
 */
public enum JobStatus implements QapiEnum {
    /**
     * Erroneous, default state. Should not ever be visible.
     */
    UNDEFINED("undefined", false, null),

    /**
     * The job has been created, but not yet started.
     */
    CREATED("created", false, null),

    /**
     * The job is currently running.
     */
    RUNNING("running", false, null),

    /**
     * The job is running, but paused.
     */
    PAUSED("paused", false, null),

    /**
     * The job is running, but is ready for the user to signal completion.
     */
    READY("ready", false, null),

    /**
     * The job is ready, but paused.
     */
    STANDBY("standby", false, null),

    /**
     * The job is waiting for other jobs in the transaction to converge to the waiting state.
     */
    WAITING("waiting", false, null),

    /**
     * The job has finished its work, but has finalization steps that it needs to make prior to
     * completing.
     */
    PENDING("pending", false, null),

    /**
     * The job is in the process of being aborted, and will finish with an error.
     */
    ABORTING("aborting", false, null),

    /**
     * The job has finished all work. If auto-dismiss was set to false, the job will remain in the
     * query list until it is dismissed via job-dismiss.
     */
    CONCLUDED("concluded", false, null),

    /**
     * The job is in the process of being dismantled. This state should not ever be visible externally.
     */
    NULL("null", false, null);

    private static final Map<String, JobStatus> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    JobStatus(String qapiName, boolean unstable, String condition) {
        this.qapiName = qapiName;
        this.unstable = unstable;
        this.condition = condition;
    }

    @Override
    public String qapiName() {
        return qapiName;
    }

    @Override
    public boolean unstable() {
        return unstable;
    }

    @Override
    public Optional<String> condition() {
        return Optional.ofNullable(condition);
    }

    /**
     * Looks a member up by its QAPI name.
     *
     * @param qapiName the name as it appears on the wire, for example {@code "null"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static JobStatus fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "JobStatus");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
