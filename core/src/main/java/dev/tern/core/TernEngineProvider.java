package dev.tern.core;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.guest.Guest;
import dev.tern.api.spi.MigrationEngineProvider;
import java.time.InstantSource;

/**
 * Tern's engine, found by {@link MigrationControl#create} through {@link java.util.ServiceLoader}.
 * Checks once that the JVM grants what the engine needs before it creates anything.
 */
public final class TernEngineProvider implements MigrationEngineProvider {
    /** Creates the provider (called by the service loader). */
    public TernEngineProvider() {
    }

    @Override
    public MigrationControl create(Guest guest, StartMode startMode) {
        JvmRequirements.check();
        return new TernVm(guest, startMode, InstantSource.system());
    }
}
