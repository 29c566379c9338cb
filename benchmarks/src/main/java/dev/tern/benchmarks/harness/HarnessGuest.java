package dev.tern.benchmarks.harness;

import dev.tern.api.guest.Guest;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A guest {@link TernMigration} migrates: the guest SPI object the engine works with, and what
 * the harness reads from it to judge the run. One implementation per {@link Scenario.GuestKind}.
 */
sealed interface HarnessGuest extends AutoCloseable permits ReferenceHarnessGuest, KvmHarnessGuest {

    /**
     * Builds a scenario's source or destination guest.
     *
     * @param scenario the scenario
     * @param incoming true for the destination (a KVM destination's vCPUs wait for the migrated state)
     * @return the guest, not running
     */
    static HarnessGuest create(Scenario scenario, boolean incoming) {
        return switch (scenario.guest()) {
            case REFERENCE -> new ReferenceHarnessGuest(scenario);
            case KVM -> new KvmHarnessGuest(scenario, incoming);
        };
    }

    /**
     * The guest for {@code MigrationControl.create}.
     *
     * @return the SPI guest
     */
    Guest guest();

    /**
     * The RAM that is compared byte for byte between source and destination.
     *
     * @return the first RAM block's memory
     */
    MemorySegment ram();

    /**
     * The part of {@link #ram()} the harness may fill with page data before the migration.
     *
     * @return all of it for the reference guest; above the sweep for a KVM guest
     */
    MemorySegment fillable();

    /** Starts the vCPUs of a source. */
    void start();

    /**
     * Whether {@link #passes()} grows while the guest runs.
     *
     * @return false for an idle reference guest
     */
    boolean counts();

    /**
     * The guest's pass counter, migrated with it.
     *
     * @return completed sweeps
     */
    long passes();

    /**
     * A counter that grows while the vCPUs run, to tell that a source runs on after
     * {@code migrate_cancel}.
     *
     * @return page writes (reference guest) or passes (KVM guest)
     */
    long activity();

    /**
     * The CPU throttle in force.
     *
     * @return 0 to 99
     */
    int throttle();

    /**
     * QEMU's RAM check of the sweep range (spec 15.2), with the vCPUs stopped.
     *
     * @return empty for a guest that sweeps nothing; otherwise {@code 15.2 ok} or what is wrong
     */
    Optional<String> ramCheck();

    /**
     * Whether the guest misbehaved as a guest: a KVM vCPU failed, the serial port saw bytes
     * other than the pass marks, or the sweep started over instead of continuing.
     *
     * @return what went wrong, if anything
     */
    Optional<String> fault();

    /**
     * Says how the guest tracks dirty pages, for the log.
     *
     * @return for example {@code software dirty log} or {@code KVM dirty log MANUAL_CLEAR}
     */
    String dirtyTracking();

    /** Stops the vCPUs and frees the RAM. */
    @Override
    void close();
}
