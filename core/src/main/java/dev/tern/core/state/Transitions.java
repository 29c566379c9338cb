package dev.tern.core.state;

import static dev.tern.api.MigrationStatus.ACTIVE;
import static dev.tern.api.MigrationStatus.CANCELLED;
import static dev.tern.api.MigrationStatus.CANCELLING;
import static dev.tern.api.MigrationStatus.COLO;
import static dev.tern.api.MigrationStatus.COMPLETED;
import static dev.tern.api.MigrationStatus.DEVICE;
import static dev.tern.api.MigrationStatus.FAILED;
import static dev.tern.api.MigrationStatus.NONE;
import static dev.tern.api.MigrationStatus.POSTCOPY_ACTIVE;
import static dev.tern.api.MigrationStatus.POSTCOPY_PAUSED;
import static dev.tern.api.MigrationStatus.POSTCOPY_RECOVER;
import static dev.tern.api.MigrationStatus.PRE_SWITCHOVER;
import static dev.tern.api.MigrationStatus.SETUP;
import static dev.tern.api.MigrationStatus.WAIT_UNPLUG;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The status edges QEMU 7.2 can take: spec §1.4 for the source ({@code MigrationState.state}) and
 * §1.5 for the destination ({@code MigrationIncomingState.state}). {@link StatusCell} refuses
 * every other edge as a programming error, so an engine bug shows up as an exception instead of
 * a status a client has never seen from QEMU.
 *
 * <p>Two source edges look odd but are QEMU's:
 * <ul>
 *   <li>{@code cancelling → cancelling}: {@code migrate_cancel}'s loop CASes every running state,
 *       {@code cancelling} included, so a second cancel succeeds again and emits a second
 *       {@code MIGRATION {"status":"cancelling"}}.</li>
 *   <li>{@code setup → completed}: the internal {@code savevm} path ({@code qemu_savevm_state})
 *       never leaves {@code setup} before it finishes.</li>
 * </ul>
 */
public final class Transitions {
    private static final Map<MigrationStatus, Set<MigrationStatus>> SOURCE = source();
    private static final Map<MigrationStatus, Set<MigrationStatus>> DESTINATION = destination();

    private Transitions() {
    }

    /**
     * Whether QEMU can move one side's status from {@code from} to {@code to}.
     *
     * @param side which status variable
     * @param from the current status
     * @param to the new status
     * @return true for an edge of the spec's tables
     * @throws NullPointerException if an argument is null
     */
    public static boolean legal(Side side, MigrationStatus from, MigrationStatus to) {
        Objects.requireNonNull(to, "to");
        return targets(side, from).contains(to);
    }

    /**
     * Every status {@code from} can move to on one side.
     *
     * @param side which status variable
     * @param from the current status
     * @return an unmodifiable, possibly empty set
     * @throws NullPointerException if an argument is null
     */
    public static Set<MigrationStatus> targets(Side side, MigrationStatus from) {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(from, "from");
        Map<MigrationStatus, Set<MigrationStatus>> table = side == Side.SOURCE ? SOURCE : DESTINATION;
        return table.getOrDefault(from, Set.of());
    }

    private static Map<MigrationStatus, Set<MigrationStatus>> source() {
        Map<MigrationStatus, Set<MigrationStatus>> m = new EnumMap<>(MigrationStatus.class);
        // migrate_init, after migrate_prepare accepted the command (not for resume=true)
        edges(m, NONE, SETUP);
        edges(m, COMPLETED, SETUP);
        edges(m, FAILED, SETUP);
        edges(m, CANCELLED, SETUP);
        // connect/TLS/return-path/multifd errors; wait-unplug; savevm's one-shot ending
        edges(m, SETUP, FAILED, ACTIVE, WAIT_UNPLUG, COMPLETED);
        edges(m, WAIT_UNPLUG, ACTIVE);
        // completion (pause, success, COLO), postcopy switchover, any error of the thread
        edges(m, ACTIVE, PRE_SWITCHOVER, COMPLETED, COLO, POSTCOPY_ACTIVE, FAILED);
        // migrate-continue in precopy / inside postcopy switchover; multifd error while parked
        edges(m, PRE_SWITCHOVER, DEVICE, POSTCOPY_ACTIVE, FAILED);
        edges(m, DEVICE, COMPLETED, FAILED);
        edges(m, POSTCOPY_ACTIVE, COMPLETED, POSTCOPY_PAUSED, FAILED);
        // resume=true connected; RESUME_ACK(1); resume failed (pausing beats losing data)
        edges(m, POSTCOPY_PAUSED, POSTCOPY_RECOVER);
        edges(m, POSTCOPY_RECOVER, POSTCOPY_ACTIVE, POSTCOPY_PAUSED);
        // primary-side failover (x-colo-lost-heartbeat)
        edges(m, COLO, COMPLETED);
        // migrate_fd_cleanup after a cancel
        edges(m, CANCELLING, CANCELLED);
        // migrate_cancel: every "running" state, cancelling itself included
        for (MigrationStatus running : StatusPredicates.runningStates()) {
            edges(m, running, CANCELLING);
        }
        return freeze(m);
    }

    private static Map<MigrationStatus, Set<MigrationStatus>> destination() {
        Map<MigrationStatus, Set<MigrationStatus>> m = new EnumMap<>(MigrationStatus.class);
        // process_incoming_migration_co starts (after all expected channels connected)
        edges(m, NONE, ACTIVE);
        // loaded; load error (process exits); POSTCOPY_LISTEN; COLO incoming thread
        edges(m, ACTIVE, COMPLETED, FAILED, POSTCOPY_ACTIVE, COLO);
        // listen thread finished; unrecoverable error; network failure or migrate-pause
        edges(m, POSTCOPY_ACTIVE, COMPLETED, FAILED, POSTCOPY_PAUSED);
        // new connection on the migrate-recover listener; POSTCOPY_RESUME received
        edges(m, POSTCOPY_PAUSED, POSTCOPY_RECOVER);
        edges(m, POSTCOPY_RECOVER, POSTCOPY_ACTIVE);
        // secondary-side failover
        edges(m, COLO, COMPLETED);
        return freeze(m);
    }

    private static void edges(Map<MigrationStatus, Set<MigrationStatus>> m, MigrationStatus from, MigrationStatus... to) {
        Set<MigrationStatus> set = m.computeIfAbsent(from, k -> EnumSet.noneOf(MigrationStatus.class));
        Collections.addAll(set, to);
    }

    private static Map<MigrationStatus, Set<MigrationStatus>> freeze(Map<MigrationStatus, Set<MigrationStatus>> m) {
        Map<MigrationStatus, Set<MigrationStatus>> frozen = new EnumMap<>(MigrationStatus.class);
        m.forEach((k, v) -> frozen.put(k, Collections.unmodifiableSet(v)));
        return Collections.unmodifiableMap(frozen);
    }
}
