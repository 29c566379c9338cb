package dev.tern.core.precopy;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.guest.Guest;
import dev.tern.core.dirty.VmmWriteLog;
import dev.tern.core.state.EventHub;
import dev.tern.core.state.StatusCell;
import dev.tern.core.state.SwitchoverPause;
import dev.tern.core.stats.MigrationCounters;
import dev.tern.core.vm.RunControl;
import dev.tern.transport.FdSource;
import java.time.InstantSource;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What an outgoing migration needs from the VM that runs it. Capabilities are fixed when the
 * migration starts (they cannot change while it runs); parameters are read live, because
 * {@code downtime-limit}, {@code max-bandwidth} and the throttle settings apply at once.
 *
 * @param guest the VM
 * @param capabilities the capabilities at {@code migrate}
 * @param parameters the current parameters, read at every decision
 * @param source the source status
 * @param pause the pause-before-switchover handshake
 * @param counters the statistics
 * @param events where {@code MIGRATION_PASS} goes
 * @param run the VM's run state
 * @param vmmWrites pages the VMM wrote itself
 * @param fds named channels for {@code fd:} URIs
 * @param error records the migration's error ({@code error-desc})
 * @param clock the real-time clock
 */
public record SourceContext(
        Guest guest,
        Set<MigrationCapability> capabilities,
        Supplier<MigrationParameters> parameters,
        StatusCell source,
        SwitchoverPause pause,
        MigrationCounters counters,
        EventHub events,
        RunControl run,
        VmmWriteLog vmmWrites,
        FdSource fds,
        Consumer<String> error,
        InstantSource clock) {

    /**
     * Whether a capability is on for this migration.
     *
     * @param c the capability
     * @return true if on
     */
    boolean on(MigrationCapability c) {
        return capabilities.contains(c);
    }
}
