package dev.tern.api.spi;

import dev.tern.api.MigrationControl;
import dev.tern.api.StartMode;
import dev.tern.api.guest.Guest;

/**
 * Service interface through which {@link MigrationControl#create} finds the engine
 * ({@code tern-core} provides it); embedders do not implement it.
 */
public interface MigrationEngineProvider {
    /**
     * Creates the control object of one VM.
     *
     * @param guest the VM
     * @param startMode how the VM starts
     * @return the control object
     */
    MigrationControl create(Guest guest, StartMode startMode);
}
