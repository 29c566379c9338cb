package dev.tern.api.job;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * Type of a background job (job.json). Tern creates the three snapshot job types; the others exist
 * for completeness of the enum.
 *
 * QAPI enum {@code JobType}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 1.7.
 */
public enum JobType implements QapiEnum {
    /**
     * block commit job type
     */
    COMMIT("commit", false, null),

    /**
     * block stream job type
     */
    STREAM("stream", false, null),

    /**
     * drive mirror job type
     */
    MIRROR("mirror", false, null),

    /**
     * drive backup job type
     */
    BACKUP("backup", false, null),

    /**
     * image creation job type
     */
    CREATE("create", false, null),

    /**
     * image options amend job type
     */
    AMEND("amend", false, null),

    /**
     * snapshot load job type
     */
    SNAPSHOT_LOAD("snapshot-load", false, null),

    /**
     * snapshot save job type
     */
    SNAPSHOT_SAVE("snapshot-save", false, null),

    /**
     * snapshot delete job type
     */
    SNAPSHOT_DELETE("snapshot-delete", false, null);

    private static final Map<String, JobType> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    JobType(String qapiName, boolean unstable, String condition) {
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
     * @param qapiName the name as it appears on the wire, for example {@code "snapshot-delete"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static JobType fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "JobType");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
