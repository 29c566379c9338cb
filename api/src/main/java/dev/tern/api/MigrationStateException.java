package dev.tern.api;

import java.util.Objects;

/**
 * Thrown when a command does not fit the current migration state (a migration in progress, not paused, not in postcopy, and so on).
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own. Every text is QEMU 7.2's, verbatim, because clients and test
 * suites match on some of them.
 */
public final class MigrationStateException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public MigrationStateException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }

    /**
     * {@code migrate}, {@code migrate-set-capabilities} and {@code snapshot-save} while the
     * outgoing migration is running (QEMU's {@code migration_is_running}, which includes
     * {@code cancelling}).
     *
     * @return "There's a migration process in progress"
     */
    public static MigrationStateException migrationInProgress() {
        return new MigrationStateException("There's a migration process in progress");
    }

    /**
     * {@code migrate} on a process whose run state is {@code inmigrate} (started with
     * {@code -incoming}).
     *
     * @return "Guest is waiting for an incoming migration"
     */
    public static MigrationStateException waitingForIncomingMigration() {
        return new MigrationStateException("Guest is waiting for an incoming migration");
    }

    /**
     * {@code migrate} while the run state is {@code postmigrate}: a previous migration completed
     * and the VM has not been resumed with {@code cont}.
     *
     * @return "Can't migrate the vm that was paused due to previous migration"
     */
    public static MigrationStateException pausedByPreviousMigration() {
        return new MigrationStateException("Can't migrate the vm that was paused due to previous migration");
    }

    /**
     * {@code migrate-continue {state}} when the source status differs from {@code state}.
     *
     * @param current the source's current status, printed by its QAPI name
     * @return "Migration not in expected state: &lt;current&gt;", for example
     *     "Migration not in expected state: active"
     * @throws NullPointerException if {@code current} is null
     */
    public static MigrationStateException notInExpectedState(MigrationStatus current) {
        Objects.requireNonNull(current, "current");
        return new MigrationStateException("Migration not in expected state: " + current.qapiName());
    }

    /**
     * {@code migrate-start-postcopy} while neither {@code postcopy-ram} nor {@code dirty-bitmaps}
     * is on.
     *
     * @return "Enable postcopy with migrate_set_capability before the start of migration"
     */
    public static MigrationStateException postcopyNotEnabled() {
        return new MigrationStateException("Enable postcopy with migrate_set_capability before the start of migration");
    }

    /**
     * {@code migrate-start-postcopy} while the source status is {@code none}.
     *
     * @return "Postcopy must be started after migration has been started"
     */
    public static MigrationStateException postcopyBeforeMigration() {
        return new MigrationStateException("Postcopy must be started after migration has been started");
    }

    /**
     * {@code migrate-pause} when neither the source nor the destination is in
     * {@code postcopy-active}.
     *
     * @return "migrate-pause is currently only supported during postcopy-active state"
     */
    public static MigrationStateException pauseOnlyInPostcopyActive() {
        return new MigrationStateException("migrate-pause is currently only supported during postcopy-active state");
    }

    /**
     * {@code migrate-recover} while the destination is not in {@code postcopy-paused}.
     *
     * @return "Migrate recover can only be run when postcopy is paused."
     */
    public static MigrationStateException recoverOnlyWhenPaused() {
        return new MigrationStateException("Migrate recover can only be run when postcopy is paused.");
    }

    /**
     * {@code migrate resume=true} while the source is not in {@code postcopy-paused}.
     *
     * @return "Cannot resume if there is no paused migration"
     */
    public static MigrationStateException noPausedMigration() {
        return new MigrationStateException("Cannot resume if there is no paused migration");
    }

    /**
     * {@code migrate resume=true} while {@code release-ram} is on: the source has already thrown
     * away pages the destination may still be missing.
     *
     * @return "Postcopy recovery cannot work when release-ram capability is set"
     */
    public static MigrationStateException recoveryWithReleaseRam() {
        return new MigrationStateException("Postcopy recovery cannot work when release-ram capability is set");
    }

    /**
     * {@code migrate-incoming} after an incoming listener was already started successfully
     * (including by {@code -incoming <uri>}).
     *
     * @return "The incoming migration has already been started"
     */
    public static MigrationStateException incomingAlreadyStarted() {
        return new MigrationStateException("The incoming migration has already been started");
    }

    /**
     * {@code migrate-incoming} on a process that was not started as a destination
     * ({@code -incoming defer} or {@code -incoming <uri>}).
     *
     * @return "'-incoming' was not specified on the command line"
     */
    public static MigrationStateException incomingNotSpecified() {
        return new MigrationStateException("'-incoming' was not specified on the command line");
    }

    /**
     * {@code x-colo-lost-heartbeat} when the process is in no COLO mode.
     *
     * @return "The feature 'colo' is not enabled"
     */
    public static MigrationStateException coloNotEnabled() {
        return new MigrationStateException("The feature 'colo' is not enabled");
    }

    /**
     * A second {@code x-colo-lost-heartbeat} once a failover has been requested.
     *
     * @return "COLO failover is already activated"
     */
    public static MigrationStateException coloFailoverAlreadyActive() {
        return new MigrationStateException("COLO failover is already activated");
    }
}
