package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The status predicates QEMU gates commands with ({@code migration.c}, spec §1.3). Each predicate
 * is also available as an unmodifiable set, for loops such as {@code migrate_cancel}'s
 * "move every running state to {@code cancelling}".
 *
 * <p>Note the asymmetries, which are QEMU's: {@code colo} is setup-or-active but not running,
 * {@code cancelling} is running but not setup-or-active, and {@code colo} is neither running nor
 * idle.
 */
public final class StatusPredicates {
    private static final Set<MigrationStatus> SETUP_OR_ACTIVE = Collections.unmodifiableSet(EnumSet.of(
            MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED,
            MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.SETUP, MigrationStatus.PRE_SWITCHOVER,
            MigrationStatus.DEVICE, MigrationStatus.WAIT_UNPLUG, MigrationStatus.COLO));

    private static final Set<MigrationStatus> RUNNING = Collections.unmodifiableSet(EnumSet.of(
            MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED,
            MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.SETUP, MigrationStatus.PRE_SWITCHOVER,
            MigrationStatus.DEVICE, MigrationStatus.WAIT_UNPLUG, MigrationStatus.CANCELLING));

    private static final Set<MigrationStatus> IDLE = Collections.unmodifiableSet(EnumSet.of(
            MigrationStatus.NONE, MigrationStatus.CANCELLED, MigrationStatus.COMPLETED, MigrationStatus.FAILED));

    private static final Set<MigrationStatus> ACTIVE = Collections.unmodifiableSet(EnumSet.of(
            MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE));

    private static final Set<MigrationStatus> IN_POSTCOPY = Collections.unmodifiableSet(EnumSet.of(
            MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER));

    private StatusPredicates() {
    }

    /**
     * QEMU's {@code migration_is_setup_or_active}: setup, wait-unplug, active, pre-switchover,
     * device, the three postcopy states and colo.
     *
     * @param s the status
     * @return whether a migration is set up or moving data
     * @throws NullPointerException if {@code s} is null
     */
    public static boolean isSetupOrActive(MigrationStatus s) {
        return SETUP_OR_ACTIVE.contains(Objects.requireNonNull(s, "s"));
    }

    /**
     * QEMU's {@code migration_is_running}: like {@link #isSetupOrActive} but with
     * {@code cancelling} and without {@code colo}. Gates {@code migrate},
     * {@code migrate-set-capabilities} ("There's a migration process in progress"), snapshots and
     * {@code migrate_cancel} (which acts only on a running migration).
     *
     * @param s the status
     * @return whether an outgoing migration is in progress
     * @throws NullPointerException if {@code s} is null
     */
    public static boolean isRunning(MigrationStatus s) {
        return RUNNING.contains(Objects.requireNonNull(s, "s"));
    }

    /**
     * QEMU's {@code migration_is_idle}: none, cancelled, completed, failed. Adding a migration
     * blocker needs it.
     *
     * @param s the status
     * @return whether no migration is under way
     * @throws NullPointerException if {@code s} is null
     */
    public static boolean isIdle(MigrationStatus s) {
        return IDLE.contains(Objects.requireNonNull(s, "s"));
    }

    /**
     * QEMU's {@code migration_is_active}, the migration thread's loop condition: active or
     * postcopy-active only.
     *
     * @param s the status
     * @return whether the iteration loop keeps running
     * @throws NullPointerException if {@code s} is null
     */
    public static boolean isActive(MigrationStatus s) {
        return ACTIVE.contains(Objects.requireNonNull(s, "s"));
    }

    /**
     * QEMU's {@code migration_in_postcopy}: postcopy-active, postcopy-paused, postcopy-recover.
     *
     * @param s the status
     * @return whether the migration is in its postcopy phase
     * @throws NullPointerException if {@code s} is null
     */
    public static boolean inPostcopy(MigrationStatus s) {
        return IN_POSTCOPY.contains(Objects.requireNonNull(s, "s"));
    }

    /**
     * The states {@link #isSetupOrActive} accepts.
     *
     * @return an unmodifiable set
     */
    public static Set<MigrationStatus> setupOrActiveStates() {
        return SETUP_OR_ACTIVE;
    }

    /**
     * The states {@link #isRunning} accepts: the {@code from} set of {@code migrate_cancel}'s
     * move to {@code cancelling}.
     *
     * @return an unmodifiable set
     */
    public static Set<MigrationStatus> runningStates() {
        return RUNNING;
    }

    /**
     * The states {@link #isIdle} accepts: the states {@code migrate_init} may start from.
     *
     * @return an unmodifiable set
     */
    public static Set<MigrationStatus> idleStates() {
        return IDLE;
    }

    /**
     * The states {@link #isActive} accepts.
     *
     * @return an unmodifiable set
     */
    public static Set<MigrationStatus> activeStates() {
        return ACTIVE;
    }

    /**
     * The states {@link #inPostcopy} accepts.
     *
     * @return an unmodifiable set
     */
    public static Set<MigrationStatus> postcopyStates() {
        return IN_POSTCOPY;
    }
}
