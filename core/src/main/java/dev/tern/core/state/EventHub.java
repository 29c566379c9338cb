package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationEventListener;
import dev.tern.api.event.MigrationPassEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.event.MigrationStatusListener;
import dev.tern.api.event.Side;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Dispatches one process's migration events with QEMU's emission rules (spec §1.2):
 * <ul>
 *   <li>every status transition reaches the {@link MigrationStatusListener}s;</li>
 *   <li>{@code MIGRATION {status}} and {@code MIGRATION_PASS {pass}} reach the
 *       {@link MigrationEventListener}s only while this process's {@code events} capability is on
 *       (read at emission time, as QEMU's {@code migrate_generate_event} does);</li>
 *   <li>the destination's {@code MIGRATION {"status":"setup"}} when an incoming listener starts,
 *       and {@code COLO_EXIT}, {@code UNPLUG_PRIMARY}, {@code JOB_STATUS_CHANGE}, are
 *       unconditional.</li>
 * </ul>
 *
 * <p>Listeners are called on the calling thread. A listener that throws is logged and skipped;
 * the others are still called, so one faulty observer cannot hide a transition from the rest.
 * Thread-safe: listeners may be added and removed at any time.
 */
public final class EventHub {
    private static final System.Logger LOG = System.getLogger(EventHub.class.getName());

    private final BooleanSupplier eventsCapabilityOn;
    private final InstantSource clock;
    private final List<MigrationEventListener> eventListeners = new CopyOnWriteArrayList<>();
    private final List<MigrationStatusListener> statusListeners = new CopyOnWriteArrayList<>();

    /**
     * Creates a hub.
     *
     * @param eventsCapabilityOn reads this process's {@code events} capability
     * @param clock stamps the events ({@link MigrationEvent#timestamp()})
     * @throws NullPointerException if an argument is null
     */
    public EventHub(BooleanSupplier eventsCapabilityOn, InstantSource clock) {
        this.eventsCapabilityOn = Objects.requireNonNull(eventsCapabilityOn, "eventsCapabilityOn");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Registers a QMP-style event listener. A listener added twice is called twice.
     *
     * @param l the listener
     * @throws NullPointerException if {@code l} is null
     */
    public void addEventListener(MigrationEventListener l) {
        eventListeners.add(Objects.requireNonNull(l, "l"));
    }

    /**
     * Unregisters one registration of an event listener; unknown listeners are ignored.
     *
     * @param l the listener
     */
    public void removeEventListener(MigrationEventListener l) {
        eventListeners.remove(l);
    }

    /**
     * Registers a status listener, told of every transition whatever the {@code events}
     * capability says. A listener added twice is called twice.
     *
     * @param l the listener
     * @throws NullPointerException if {@code l} is null
     */
    public void addStatusListener(MigrationStatusListener l) {
        statusListeners.add(Objects.requireNonNull(l, "l"));
    }

    /**
     * Unregisters one registration of a status listener; unknown listeners are ignored.
     *
     * @param l the listener
     */
    public void removeStatusListener(MigrationStatusListener l) {
        statusListeners.remove(l);
    }

    /**
     * A transition took effect ({@code migrate_set_state}'s successful CAS). Tells every status
     * listener, then emits {@code MIGRATION {"status": to}} if the {@code events} capability is on.
     * {@link StatusCell} calls this; engines normally do not.
     *
     * @param side whose status changed
     * @param from the previous status
     * @param to the new status
     * @throws NullPointerException if an argument is null
     */
    public void statusChanged(Side side, MigrationStatus from, MigrationStatus to) {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        // The QMP event first: a status listener may complete a future whose waiter then expects
        // every event of the transition to have been delivered.
        if (eventsCapabilityOn.getAsBoolean()) {
            dispatch(new MigrationStatusEvent(clock.instant(), to));
        }
        for (MigrationStatusListener l : statusListeners) {
            try {
                l.statusChanged(side, from, to);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "migration status listener failed on " + side + " " + from + " -> " + to, e);
            }
        }
    }

    /**
     * An incoming listener started ({@code -incoming <uri>}, {@code migrate-incoming},
     * {@code migrate-recover}): emits {@code MIGRATION {"status":"setup"}} unconditionally. The
     * destination's status does not change (it never takes the value {@code setup}), so status
     * listeners are not told.
     */
    public void incomingListenerStarted() {
        dispatch(new MigrationStatusEvent(clock.instant(), MigrationStatus.SETUP));
    }

    /**
     * A dirty-bitmap synchronisation happened on the source: emits
     * {@code MIGRATION_PASS {"pass": dirtySyncCount}} if the {@code events} capability is on.
     *
     * @param dirtySyncCount the {@code dirty-sync-count} after the increment (1 for the
     *     synchronisation done during setup)
     */
    public void pass(long dirtySyncCount) {
        if (eventsCapabilityOn.getAsBoolean()) {
            dispatch(new MigrationPassEvent(clock.instant(), dirtySyncCount));
        }
    }

    /**
     * Emits an event that QEMU sends unconditionally: {@code COLO_EXIT}, {@code UNPLUG_PRIMARY},
     * {@code JOB_STATUS_CHANGE}.
     *
     * @param e the event
     * @throws NullPointerException if {@code e} is null
     * @throws IllegalArgumentException for {@code MIGRATION} or {@code MIGRATION_PASS}, which
     *     have their own gated entry points ({@link #statusChanged}, {@link #incomingListenerStarted},
     *     {@link #pass}) so that no caller can bypass the {@code events} capability
     */
    public void emit(MigrationEvent e) {
        Objects.requireNonNull(e, "e");
        if (e instanceof MigrationStatusEvent || e instanceof MigrationPassEvent) {
            throw new IllegalArgumentException(e.qapiName() + " is gated by the events capability; use statusChanged, incomingListenerStarted or pass");
        }
        dispatch(e);
    }

    private void dispatch(MigrationEvent e) {
        for (MigrationEventListener l : eventListeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "migration event listener failed on " + e.qapiName(), ex);
            }
        }
    }
}
