package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStatus;
import dev.tern.api.info.MigrationInfo;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3 section 5: validate-uuid (spec 14.3), a capability of the source only. */
@Timeout(120)
class ValidateUuidTest {
    private static final UUID A = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final UUID B = UUID.fromString("99999999-8888-7777-6666-555555555555");

    @Test
    void sameUuidOnBothSidesCompletes() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping().uuid(A))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void differentUuidFailsTheDestinationAndWithReturnPathTheSource() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping().uuid(B))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID,
                    MigrationCapability.RETURN_PATH));
            Leaks before = Leaks.snapshot();
            pair.source().migrate(pair.listenTcp());
            pair.assertDestinationNotStarted();
            assertEquals("UUID received is " + A + " and local is " + B, GuestPair.errorOf(pair.destination()));
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            // The return path carries no reason, only that the destination failed.
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            String error = GuestPair.errorOf(pair.source());
            // Whichever the source notices first: its write failing, the return path ending (the
            // destination failed before it opened its end), or a SHUT with an error.
            assertTrue(error.startsWith("Unable to write to socket: ") || error.startsWith("return path failed: ")
                    || error.equals("the destination failed to load the migration (return path SHUT status 1)"), error);
            pair.assertSourceSurvived();
            Leaks.assertNoneSince(before);
            pair.assertRetryCompletesTo(GuestPair.sweeping().uuid(A));
        }
    }

    @Test
    void differentUuidWithoutReturnPathFailsTheSourceWhenTheDestinationHangsUp() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping().uuid(B))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID));
            pair.source().migrate(pair.listenTcp());
            pair.assertDestinationNotStarted();
            assertEquals("UUID received is " + A + " and local is " + B, GuestPair.errorOf(pair.destination()));
            // The destination closes the connection long before the source's 30 MiB are out.
            MigrationInfo end = GuestPair.awaitFinal(pair.source());
            assertEquals(MigrationStatus.FAILED, end.status().orElseThrow(), end.toString());
            assertTrue(GuestPair.errorOf(pair.source()).startsWith("Unable to write to socket: "), end.toString());
            pair.assertSourceSurvived();
        }
    }

    @Test
    void differentUuidWithoutTheCapabilityIsNotChecked() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping().uuid(B))) {
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void capabilityOnTheDestinationOnlyChecksNothing() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping().uuid(B))) {
            pair.destination().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void onlyTheDestinationHasAUuid() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping(), GuestPair.sweeping().uuid(B))) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }

    @Test
    void onlyTheSourceHasAUuidWarnsAndCompletes() throws Exception {
        try (GuestPair pair = GuestPair.create(GuestPair.sweeping().uuid(A), GuestPair.sweeping())) {
            pair.source().setCapabilities(GuestPair.on(MigrationCapability.VALIDATE_UUID));
            pair.source().migrate(pair.listenTcp());
            pair.assertCompleted();
        }
    }
}
