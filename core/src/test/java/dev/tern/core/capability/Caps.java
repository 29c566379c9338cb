package dev.tern.core.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.CapabilityException;
import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.core.parameter.ParameterDefaults;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Contexts, requests and assertions shared by the capability tests. */
final class Caps {
    private Caps() {
    }

    /** A source on Linux with default parameters and a guest that supports everything. */
    static CapabilityContext source() {
        return new CapabilityContext(false, Optional.empty(), ParameterDefaults.DEFAULTS, FakeGuest.capable(), true);
    }

    static CapabilityContext destination(FakeGuest guest) {
        return new CapabilityContext(true, Optional.empty(), ParameterDefaults.DEFAULTS, guest, true);
    }

    static CapabilityContext withGuest(FakeGuest guest) {
        return new CapabilityContext(false, Optional.empty(), ParameterDefaults.DEFAULTS, guest, true);
    }

    static CapabilityContext withParameters(MigrationParameters params) {
        return new CapabilityContext(false, Optional.empty(), params, FakeGuest.capable(), true);
    }

    static List<MigrationCapabilityStatus> on(MigrationCapability... caps) {
        return Arrays.stream(caps).map(c -> new MigrationCapabilityStatus(c, true)).toList();
    }

    static MigrationCapabilityStatus set(MigrationCapability cap, boolean state) {
        return new MigrationCapabilityStatus(cap, state);
    }

    static Set<MigrationCapability> none() {
        return EnumSet.noneOf(MigrationCapability.class);
    }

    static Set<MigrationCapability> caps(MigrationCapability first, MigrationCapability... rest) {
        return EnumSet.of(first, rest);
    }

    static void assertAccepted(Set<MigrationCapability> current, List<MigrationCapabilityStatus> request,
            CapabilityContext ctx, Set<MigrationCapability> expected) {
        assertEquals(expected, CapabilityRules.apply(current, request, ctx));
    }

    static void assertRejected(String message, Set<MigrationCapability> current,
            List<MigrationCapabilityStatus> request, CapabilityContext ctx) {
        CapabilityException e = assertThrows(CapabilityException.class,
                () -> CapabilityRules.apply(current, request, ctx));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
    }
}
