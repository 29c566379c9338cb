package dev.tern.core.state;

import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * The {@code pause-before-switchover} handshake (spec §14.1): the migration thread parks the
 * source in {@code pre-switchover} with the VM stopped, and {@code migrate-continue} lets it go
 * on. QEMU's {@code pause_sem}, {@code migration_maybe_pause} and {@code qmp_migrate_continue}.
 *
 * <p>Releases are counted like QEMU's semaphore posts: {@code migrate-continue} and
 * {@code migrate_cancel} each add one. Extra ones (a client that sent two continues) are stale
 * and are thrown away when the next pause begins (spec §16 item 28).
 */
public final class SwitchoverPause {
    private final StatusCell source;
    private final Semaphore releases = new Semaphore(0);

    /**
     * The outcome of {@link #pause}.
     *
     * @param resumed true if the source reached the requested state (QEMU's 0 return); false if
     *     a cancel got in (QEMU's -EINVAL)
     * @param activeState the caller's new "current active state": the requested state once the
     *     pause was entered, whether or not the move succeeded, else the state passed in (the
     *     later {@code → failed} CAS uses it and fails silently after a cancel)
     */
    public record Outcome(boolean resumed, MigrationStatus activeState) {
        /** Checks that no member is null. */
        public Outcome {
            Objects.requireNonNull(activeState, "activeState");
        }
    }

    /**
     * Creates the handshake for a source status.
     *
     * @param source the source's status cell
     * @throws IllegalArgumentException if {@code source} is a destination cell
     * @throws NullPointerException if {@code source} is null
     */
    public SwitchoverPause(StatusCell source) {
        this.source = Objects.requireNonNull(source, "source");
        if (source.side() != Side.SOURCE) {
            throw new IllegalArgumentException("pause-before-switchover applies to the source status only");
        }
    }

    /**
     * The source status this handshake parks.
     *
     * @return the cell
     */
    public StatusCell source() {
        return source;
    }

    /**
     * QMP {@code migrate-continue {state}}: releases the paused migration thread if the source
     * status is exactly {@code expected} (compared by name, so {@code device} or
     * {@code postcopy-active} would only match themselves).
     *
     * @param expected the status the client believes the source is in (QAPI {@code state})
     * @throws MigrationStateException "Migration not in expected state: &lt;current&gt;" when the
     *     current status differs
     * @throws NullPointerException if {@code expected} is null
     */
    public void migrateContinue(MigrationStatus expected) {
        Objects.requireNonNull(expected, "expected");
        MigrationStatus current = source.get();
        if (current != expected) {
            throw MigrationStateException.notInExpectedState(current);
        }
        releases.release();
    }

    /**
     * {@code migrate_cancel}'s kick: releases a parked migration thread so it can notice the
     * cancel. {@link MigrateCancel} calls it when it finds the source in {@code pre-switchover}.
     */
    public void release() {
        releases.release();
    }

    /**
     * Releases posted and not yet consumed (for diagnostics and tests).
     *
     * @return the count
     */
    public int pendingReleases() {
        return releases.availablePermits();
    }

    /**
     * QEMU's {@code migration_maybe_pause}, called by the migration thread at a pause point when
     * {@code pause-before-switchover} is on: precopy completion ({@code active → pre-switchover
     * → device}) or postcopy switchover ({@code active → pre-switchover → postcopy-active}).
     * Throws stale releases away, then, unless a cancel is already under way, moves
     * {@code currentActive → pre-switchover}, waits for a release and moves
     * {@code pre-switchover → resumeTo}.
     *
     * <p>One deliberate difference: QEMU waits even if its move to {@code pre-switchover} failed
     * because a cancel slipped in after its check, and then nobody releases it; here the wait is
     * skipped in that case and the outcome reports the cancel.
     *
     * @param currentActive the status the thread is in ({@code active})
     * @param resumeTo {@code device} (precopy) or {@code postcopy-active} (postcopy switchover)
     * @return whether the source reached {@code resumeTo}, and the thread's new active state
     * @throws InterruptedException if the waiting thread is interrupted (the source stays in
     *     {@code pre-switchover})
     * @throws IllegalArgumentException if {@code currentActive → pre-switchover} or
     *     {@code pre-switchover → resumeTo} is not a source edge
     * @throws NullPointerException if an argument is null
     */
    public Outcome pause(MigrationStatus currentActive, MigrationStatus resumeTo) throws InterruptedException {
        Objects.requireNonNull(currentActive, "currentActive");
        Objects.requireNonNull(resumeTo, "resumeTo");
        requireEdge(currentActive, MigrationStatus.PRE_SWITCHOVER);
        requireEdge(MigrationStatus.PRE_SWITCHOVER, resumeTo);
        // Continues sent for an earlier pause must not release this one.
        releases.drainPermits();
        if (source.get() == MigrationStatus.CANCELLING) {
            return new Outcome(false, currentActive);
        }
        if (source.compareAndSet(currentActive, MigrationStatus.PRE_SWITCHOVER)) {
            releases.acquire();
        }
        source.compareAndSet(MigrationStatus.PRE_SWITCHOVER, resumeTo);
        return new Outcome(source.get() == resumeTo, resumeTo);
    }

    private static void requireEdge(MigrationStatus from, MigrationStatus to) {
        if (!Transitions.legal(Side.SOURCE, from, to)) {
            throw new IllegalArgumentException("illegal SOURCE migration status transition " + from + " -> " + to);
        }
    }
}
