package dev.tern.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationException;
import dev.tern.api.MigrationSession;
import dev.tern.api.ParameterException;
import dev.tern.api.StartMode;
import dev.tern.api.MigrationHandle;
import dev.tern.api.event.Side;
import java.util.concurrent.CompletionException;
import dev.tern.api.event.MigrationEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fluent session over the real engine: settings applied in order, listeners attached, errors surfaced. */
class MigrationSessionTest {

    @Test
    void appliesCapabilitiesAndParametersBeforeStarting() {
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        try (TestGuest guest = new TestGuest(1 << 20); MigrationControl vm = MigrationControl.create(guest, StartMode.PAUSED)) {
            MigrationHandle handle = MigrationSession.on(vm)
                    .capability(MigrationCapability.EVENTS, true)
                    .capability(MigrationCapability.XBZRLE, true)
                    .parameters(p -> p.downtimeLimit(123))
                    .parameters(p -> p.maxBandwidth(1L << 30))
                    .listener(events::add)
                    .migrate("tcp:127.0.0.1:1");
            CompletionException failed = assertThrows(CompletionException.class, () -> handle.completion().join());
            assertInstanceOf(MigrationException.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().startsWith("Failed to connect to '127.0.0.1:1'"),
                    failed.getCause().getMessage());
            assertEquals(123, vm.queryParameters().downtimeLimit().getAsLong());
            assertEquals(1L << 30, vm.queryParameters().maxBandwidth().getAsLong());
            assertTrue(vm.queryCapabilities().contains(new MigrationCapabilityStatus(MigrationCapability.XBZRLE, true)));
            assertEquals(2, events.size(), "MIGRATION setup and failed with events on: " + events);
            assertEquals(Side.SOURCE, handle.side());
        }
    }

    @Test
    void aRejectedSettingStopsTheSessionBeforeItStarts() {
        try (TestGuest guest = new TestGuest(1 << 20); MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            ParameterException e = assertThrows(ParameterException.class, () -> MigrationSession.on(vm)
                    .parameters(p -> p.downtimeLimit(2_000_001))
                    .migrate("tcp:127.0.0.1:4444"));
            assertEquals("Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 ms", e.getMessage());
            assertTrue(vm.queryMigrate().status().isEmpty(), "nothing started");
        }
    }

    @Test
    void listenOnARunningVmIsRefused() {
        try (TestGuest guest = new TestGuest(1 << 20); MigrationControl vm = MigrationControl.create(guest, StartMode.RUNNING)) {
            MigrationException e = assertThrows(MigrationException.class, () -> MigrationSession.on(vm).listen("tcp::0"));
            assertEquals("'-incoming' was not specified on the command line", e.getMessage());
        }
    }
}
