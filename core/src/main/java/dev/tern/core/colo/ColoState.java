package dev.tern.core.colo;

import dev.tern.api.MigrationStateException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.colo.ColoStatus;
import dev.tern.api.colo.FailoverStatus;
import java.util.concurrent.atomic.AtomicReference;

/**
 * COLO's failover state machine ({@code none → require → active → completed}, plus
 * {@code relaunch}) and what {@code query-colo-status} reports (spec 12.4).
 */
public final class ColoState {
    private final AtomicReference<FailoverStatus> failover = new AtomicReference<>(FailoverStatus.NONE);
    private volatile ColoMode lastMode = ColoMode.NONE;

    /**
     * The current COLO mode: primary while the source is in {@code colo}, secondary while the
     * destination is, else none.
     *
     * @param source the source status
     * @param destination the destination status
     * @return the mode
     */
    public static ColoMode mode(MigrationStatus source, MigrationStatus destination) {
        if (source == MigrationStatus.COLO) {
            return ColoMode.PRIMARY;
        }
        if (destination == MigrationStatus.COLO) {
            return ColoMode.SECONDARY;
        }
        return ColoMode.NONE;
    }

    /**
     * QAPI {@code x-colo-lost-heartbeat}: requests failover.
     *
     * @param mode the current mode
     * @throws MigrationStateException outside COLO, or when a failover is already active
     */
    public void requestFailover(ColoMode mode) {
        if (mode == ColoMode.NONE) {
            throw MigrationStateException.coloNotEnabled();
        }
        failover.compareAndSet(FailoverStatus.NONE, FailoverStatus.REQUIRE);
        if (!failover.compareAndSet(FailoverStatus.REQUIRE, FailoverStatus.ACTIVE)) {
            throw MigrationStateException.coloFailoverAlreadyActive();
        }
        lastMode = mode;
    }

    /**
     * The failover status.
     *
     * @return the status
     */
    public FailoverStatus failover() {
        return failover.get();
    }

    /**
     * Moves the failover status with compare-and-set semantics.
     *
     * @param from the expected status
     * @param to the new status
     * @return whether it moved
     */
    public boolean moveFailover(FailoverStatus from, FailoverStatus to) {
        return failover.compareAndSet(from, to);
    }

    /**
     * QAPI {@code query-colo-status}.
     *
     * @param source the source status
     * @param destination the destination status
     * @return the status
     */
    public ColoStatus status(MigrationStatus source, MigrationStatus destination) {
        FailoverStatus f = failover.get();
        ColoExitReason reason;
        if (f == FailoverStatus.NONE) {
            reason = ColoExitReason.NONE;
        } else if (f == FailoverStatus.COMPLETED) {
            reason = ColoExitReason.REQUEST;
        } else if (source == MigrationStatus.COLO) {
            reason = ColoExitReason.PROCESSING;
        } else {
            reason = ColoExitReason.ERROR;
        }
        return new ColoStatus(mode(source, destination), lastMode, reason);
    }
}
