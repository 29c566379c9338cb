package dev.tern.core.vm;

import dev.tern.api.MigrationException;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.VcpuControl;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The VM's run state and QEMU's {@code autostart} flag, with the {@code cont} and {@code stop}
 * semantics of QEMU 7.2 ({@code qmp_cont}, {@code qmp_stop}). The vCPUs follow the state when
 * the guest offers {@link VcpuControl}.
 */
public final class RunControl {
    private static final Set<RunState> NEEDS_RESET =
            EnumSet.of(RunState.INTERNAL_ERROR, RunState.SHUTDOWN, RunState.GUEST_PANICKED);

    private final Optional<VcpuControl> vcpus;
    private RunState state;
    private boolean autostart;

    /**
     * Creates the run control of a VM.
     *
     * @param guest the VM
     * @param mode how it starts
     */
    public RunControl(Guest guest, StartMode mode) {
        this.vcpus = guest.vcpus();
        switch (mode) {
            case RUNNING -> {
                state = RunState.RUNNING;
                autostart = true;
            }
            case PAUSED -> {
                state = RunState.PRELAUNCH;
                autostart = false;
            }
            case INCOMING -> {
                state = RunState.INMIGRATE;
                autostart = true;
            }
        }
    }

    /**
     * The current run state ({@code query-status}).
     *
     * @return the state
     */
    public synchronized RunState state() {
        return state;
    }

    /**
     * Whether the guest is running.
     *
     * @return true in {@code running}
     */
    public synchronized boolean running() {
        return state == RunState.RUNNING;
    }

    /**
     * Whether an incoming migration should start the guest when it completes (cleared by
     * {@code stop} during {@code inmigrate}, QEMU's {@code -S}).
     *
     * @return the flag
     */
    public synchronized boolean autostart() {
        return autostart;
    }

    /**
     * QAPI {@code cont}.
     *
     * @throws MigrationException when QEMU refuses to continue
     */
    public synchronized void cont() {
        if (NEEDS_RESET.contains(state)) {
            throw MigrationException.generic("Resetting the Virtual Machine is required");
        }
        switch (state) {
            case SUSPENDED, RUNNING -> { }
            case FINISH_MIGRATE -> throw MigrationException.generic("Migration is not finalized yet");
            case INMIGRATE -> autostart = true;
            default -> start();
        }
    }

    /** QAPI {@code stop}. */
    public synchronized void stop() {
        if (state == RunState.INMIGRATE) {
            autostart = false;
        } else if (state == RunState.RUNNING) {
            stopAs(RunState.PAUSED);
        }
    }

    /** Starts the vCPUs and enters {@code running}. */
    public synchronized void start() {
        vcpus.ifPresent(VcpuControl::resume);
        state = RunState.RUNNING;
    }

    /**
     * Stops the vCPUs if running and enters {@code newState} (for example {@code finish-migrate}).
     *
     * @param newState the stopped state
     * @return whether the guest was running before
     */
    public synchronized boolean stopAs(RunState newState) {
        boolean wasRunning = state == RunState.RUNNING;
        if (wasRunning) {
            vcpus.ifPresent(VcpuControl::pause);
        }
        state = newState;
        return wasRunning;
    }

    /**
     * Sets the state without touching the vCPUs (for transitions such as {@code inmigrate} to
     * {@code paused} at the end of an incoming migration).
     *
     * @param newState the state
     */
    public synchronized void set(RunState newState) {
        state = newState;
    }
}
