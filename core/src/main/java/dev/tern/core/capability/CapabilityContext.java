package dev.tern.core.capability;

import dev.tern.api.MigrationParameters;
import dev.tern.api.guest.Guest;
import java.util.Objects;
import java.util.Optional;

/**
 * What the capability rules of {@code migrate-set-capabilities} need to know about the VM beyond
 * the capability set itself.
 *
 * @param incomingRunState the VM's runstate is {@code inmigrate}, that is, it is a destination
 *     waiting for or receiving a migration (QEMU's {@code runstate_check(RUN_STATE_INMIGRATE)})
 * @param startedIncomingScheme the URI scheme of an incoming listener that was already started
 *     ({@code "tcp"}, {@code "unix"}, {@code "vsock"}, {@code "fd"}, {@code "exec"}, ...); empty
 *     if none was started
 * @param parameters the current migration parameters; {@code zero-copy-send} looks at
 *     {@code multifd-compression} and {@code tls-creds}
 * @param guest the VM, probed for postcopy ({@link Guest#postcopy()}) and write protection
 *     ({@link Guest#writeProtection()})
 * @param linux the host OS is Linux ({@code zero-copy-send} exists only there)
 */
public record CapabilityContext(
        boolean incomingRunState,
        Optional<String> startedIncomingScheme,
        MigrationParameters parameters,
        Guest guest,
        boolean linux) {

    /** Rejects null components. */
    public CapabilityContext {
        Objects.requireNonNull(startedIncomingScheme, "startedIncomingScheme");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(guest, "guest");
    }
}
