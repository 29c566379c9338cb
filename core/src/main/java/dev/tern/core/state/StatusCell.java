package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One side's migration status with QEMU's {@code migrate_set_state} semantics (spec §1.2): a
 * change happens only if the current value equals the expected one, and a failed
 * compare-and-set is silent. That is what makes "a cancel wins over a concurrent failure": the
 * engine's {@code active → failed} does nothing once {@code migrate_cancel} has moved the state
 * to {@code cancelling}.
 *
 * <p>Every successful transition is reported to the {@link EventHub} exactly once, and the
 * reports of one cell arrive in transition order even when several threads race: the status is
 * an immutable chain of changes swapped in with a CAS, and delivery is serialised by a
 * work-in-progress counter (the "queue drain" pattern). Under no contention the transitioning
 * thread delivers its own report before {@code compareAndSet} returns; when another thread is
 * already delivering, that thread delivers this report too, right after the earlier ones. A
 * listener may itself make a transition: it is delivered after the current one, never
 * re-entrantly. Thread-safe and lock-free.
 */
public final class StatusCell {
    private final Side side;
    private final EventHub hub;
    /** The newest change; its {@code to} is the current status. */
    private final AtomicReference<Change> newest;
    /** Work-in-progress count of the delivery loop: 0 means nobody is delivering. */
    private final AtomicInteger deliveryWip = new AtomicInteger();
    /** The newest change already delivered. Touched only by the thread that owns the delivery loop. */
    private Change delivered;

    /**
     * Creates a cell in status {@code none}.
     *
     * @param side which status variable this is (selects the legal edges and labels reports)
     * @param hub where successful transitions are reported
     * @throws NullPointerException if an argument is null
     */
    public StatusCell(Side side, EventHub hub) {
        this.side = Objects.requireNonNull(side, "side");
        this.hub = Objects.requireNonNull(hub, "hub");
        Change initial = new Change(MigrationStatus.NONE, MigrationStatus.NONE, null);
        this.newest = new AtomicReference<>(initial);
        this.delivered = initial;
    }

    /**
     * Which side this cell belongs to.
     *
     * @return the side
     */
    public Side side() {
        return side;
    }

    /**
     * The current status (a volatile read).
     *
     * @return the status
     */
    public MigrationStatus get() {
        return newest.get().to;
    }

    /**
     * QEMU's {@code migrate_set_state(&state, from, to)}: moves to {@code to} only if the current
     * status is {@code from}; on success reports {@code statusChanged(side, from, to)} to the hub.
     *
     * @param from the status the caller believes is current
     * @param to the new status
     * @return true if the transition took effect, false (silently) if the status was not
     *     {@code from}
     * @throws IllegalArgumentException if {@link Transitions} does not allow {@code from → to} on
     *     this side: a programming error, thrown even when the CAS would have failed
     * @throws NullPointerException if an argument is null
     */
    public boolean compareAndSet(MigrationStatus from, MigrationStatus to) {
        requireLegal(from, to);
        Change current = newest.get();
        while (current.to == from) {
            Change next = new Change(from, to, current);
            Change witness = newest.compareAndExchange(current, next);
            if (witness == current) {
                deliver();
                return true;
            }
            // Another transition got in; retry only if it left the status at `from` again.
            current = witness;
        }
        return false;
    }

    /**
     * Loops the CAS until the status becomes {@code to} from whichever member of {@code from} is
     * current: {@code migrate_cancel}'s "running → cancelling" loop.
     *
     * @param from the statuses to move away from
     * @param to the new status
     * @return the status it moved from, or empty if the current status is not in {@code from}
     * @throws IllegalArgumentException if some member of {@code from} has no legal edge to
     *     {@code to} on this side
     * @throws NullPointerException if an argument is null
     */
    public Optional<MigrationStatus> moveFromAny(Set<MigrationStatus> from, MigrationStatus to) {
        return moveFromAny(from, to, s -> { });
    }

    /**
     * Like {@link #moveFromAny(Set, MigrationStatus)}, calling {@code beforeAttempt} with the
     * observed status before every CAS attempt. {@code migrate_cancel} uses it to release the
     * {@code pre-switchover} pause before it tries {@code pre-switchover → cancelling}, exactly
     * where QEMU posts its pause semaphore inside the loop.
     *
     * @param from the statuses to move away from
     * @param to the new status
     * @param beforeAttempt called with the status about to be replaced, once per attempt
     * @return the status it moved from, or empty if the current status is not in {@code from}
     * @throws IllegalArgumentException if some member of {@code from} has no legal edge to
     *     {@code to} on this side
     * @throws NullPointerException if an argument is null
     */
    public Optional<MigrationStatus> moveFromAny(Set<MigrationStatus> from, MigrationStatus to,
            Consumer<? super MigrationStatus> beforeAttempt) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(beforeAttempt, "beforeAttempt");
        for (MigrationStatus f : from) {
            requireLegal(f, to);
        }
        Change current = newest.get();
        while (from.contains(current.to)) {
            beforeAttempt.accept(current.to);
            Change next = new Change(current.to, to, current);
            Change witness = newest.compareAndExchange(current, next);
            if (witness == current) {
                deliver();
                return Optional.of(next.from);
            }
            current = witness;
        }
        return Optional.empty();
    }

    /**
     * QEMU's {@code migrate_init} for a new outgoing migration: none, completed, failed or
     * cancelled → {@code setup}. Not used for {@code migrate resume=true}.
     *
     * @return the status the source left
     * @throws IllegalStateException on a destination cell, or if the source is not idle (the
     *     caller must have refused the command first: {@code migrate} while running is
     *     "There's a migration process in progress"; {@code colo} is neither running nor idle)
     */
    public MigrationStatus migrateInit() {
        if (side != Side.SOURCE) {
            throw new IllegalStateException("migrate_init applies to the source status only");
        }
        return moveFromAny(StatusPredicates.idleStates(), MigrationStatus.SETUP)
                .orElseThrow(() -> new IllegalStateException("migrate_init needs an idle source status, not " + get()));
    }

    private void requireLegal(MigrationStatus from, MigrationStatus to) {
        if (!Transitions.legal(side, from, to)) {
            throw new IllegalArgumentException("illegal " + side + " migration status transition " + from + " -> " + to);
        }
    }

    /**
     * Delivers every change not yet delivered, oldest first. Only one thread runs the loop at a
     * time; a thread that finds it taken bumps the counter so the owner goes round once more.
     */
    private void deliver() {
        if (deliveryWip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Change top = newest.get();
            if (top != delivered) {
                ArrayDeque<Change> batch = new ArrayDeque<>();
                for (Change c = top; c != delivered; c = c.older) {
                    batch.push(c);
                }
                // The oldest undelivered change still links to `delivered`: cut the chain so
                // delivered changes can be collected. Later walks stop at `top`, above this link.
                batch.peekFirst().older = null;
                delivered = top;
                for (Change c : batch) {
                    hub.statusChanged(side, c.from, c.to);
                }
            }
            missed = deliveryWip.addAndGet(-missed);
        } while (missed != 0);
    }

    @Override
    public String toString() {
        return side + ":" + get();
    }

    /** One transition; immutable except for the link the delivery loop cuts. */
    private static final class Change {
        final MigrationStatus from;
        final MigrationStatus to;
        /** The previous change; published by the CAS that installs this one, cleared after delivery. */
        Change older;

        Change(MigrationStatus from, MigrationStatus to, Change older) {
            this.from = from;
            this.to = to;
            this.older = older;
        }
    }
}
