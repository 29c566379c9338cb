package dev.tern.core.job;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;
import dev.tern.api.job.JobStatus;
import java.io.IOException;
import java.util.Objects;

/**
 * The errors of the job commands and of the snapshot jobs, one factory per QEMU 7.2 message
 * ({@code job.c}, {@code job-qmp.c}, {@code migration/savevm.c}, {@code block/snapshot.c}),
 * verbatim.
 */
final class SnapshotErrors {
    /** -EINVAL, what QEMU's loader returns for a stream that does not fit. */
    static final int LOAD_ERRNO = -22;

    private SnapshotErrors() {
    }

    static MigrationException invalidJobId(String id) {
        return MigrationException.generic("Invalid job ID '" + id + "'");
    }

    static MigrationException jobIdInUse(String id) {
        return MigrationException.generic("Job ID '" + id + "' already in use");
    }

    static MigrationException jobNotFound() {
        return MigrationException.generic("Job not found");
    }

    static MigrationException verbRefused(String id, JobStatus status, String verb) {
        return MigrationException.generic(
                "Job '" + id + "' in state '" + status.qapiName() + "' cannot accept command verb '" + verb + "'");
    }

    /** A migration blocker's own message, passed through as QEMU's {@code migration_is_blocked} does. */
    static MigrationException blocked(String blocker) {
        return MigrationException.generic(blocker);
    }

    static MigrationException migrationRunning() {
        return MigrationException.generic("There's a migration process in progress");
    }

    static MigrationException blockMigrationOn() {
        return MigrationException.generic("Block migration and snapshots are incompatible");
    }

    static MigrationException noDevices() {
        return MigrationException.generic("At least one device is required for snapshot");
    }

    static MigrationException noNode(String node) {
        return MigrationException.generic("No block device node '" + node + "'");
    }

    static MigrationException cannotSnapshot(String node) {
        return MigrationException.generic("Device '" + node + "' is writable but does not support snapshots");
    }

    static MigrationException tagExists(String tag) {
        return MigrationException.generic("Snapshot '" + tag + "' already exists in one or more devices");
    }

    static MigrationException vmstateMissing(String node) {
        return MigrationException.generic("vmstate block device '" + node + "' does not exist");
    }

    static MigrationException vmstateCannotSnapshot(String node) {
        return MigrationException.generic("vmstate block device '" + node + "' does not support snapshots");
    }

    static MigrationException cannotOpenVmState() {
        return MigrationException.generic("Could not open VM state file");
    }

    /** QEMU appends strerror(errno); Tern appends the I/O error's own message. */
    static MigrationException writeVmStateFailed(IOException cause) {
        return new MigrationException(ErrorClass.GENERIC_ERROR,
                "Error while writing VM state: " + detail(cause), cause);
    }

    static MigrationException createFailed(String tag, String node) {
        return MigrationException.generic("Could not create snapshot '" + tag + "' on '" + node + "'");
    }

    static MigrationException tagMissing(String tag) {
        return MigrationException.generic("Snapshot '" + tag + "' does not exist in one or more devices");
    }

    static MigrationException diskOnly() {
        // Two spaces before "offline": QEMU's string literals are joined that way.
        return MigrationException.generic("This is a disk-only snapshot. Revert to it  offline using qemu-img");
    }

    static MigrationException loadFailed(String tag, String node, IOException cause) {
        return new MigrationException(ErrorClass.GENERIC_ERROR,
                "Could not load snapshot '" + tag + "' on '" + node + "': " + detail(cause), cause);
    }

    /**
     * QEMU reports {@code qemu_loadvm_state}'s negative errno, which is -EINVAL (-22) for every
     * stream a client can get wrong; the host's {@link IOException} carries no errno, so -22 it is.
     */
    static MigrationException loadVmStateFailed(IOException cause) {
        return new MigrationException(ErrorClass.GENERIC_ERROR,
                "Error " + LOAD_ERRNO + " while loading VM state", cause);
    }

    static MigrationException deleteFailed(String tag, String node, IOException cause) {
        return new MigrationException(ErrorClass.GENERIC_ERROR,
                "Could not delete snapshot '" + tag + "' on '" + node + "': " + detail(cause), cause);
    }

    private static String detail(IOException cause) {
        return Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
    }
}
