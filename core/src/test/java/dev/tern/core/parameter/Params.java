package dev.tern.core.parameter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.ParameterException;
import java.util.EnumSet;
import java.util.Set;

/** Capability sets, special values and assertions shared by the parameter tests. */
final class Params {
    private Params() {
    }

    static final Set<MigrationCapability> NO_CAPS = EnumSet.noneOf(MigrationCapability.class);
    static final Set<MigrationCapability> ZERO_COPY = EnumSet.of(MigrationCapability.ZERO_COPY_SEND,
            MigrationCapability.MULTIFD);
    static final String ZERO_COPY_MESSAGE = "Zero copy only available for non-compressed non-TLS multifd migration";
    /** 2^63: a valid unsigned value that a signed comparison would take for negative. */
    static final long TWO_TO_63 = Long.MIN_VALUE;
    /** 2^64 - 1, the largest unsigned 64-bit value. */
    static final long U64_MAX = -1L;

    static ParameterException rejected(ParameterStore store, MigrateSetParameters request,
            Set<MigrationCapability> caps) {
        MigrationParameters before = store.current();
        ParameterException e = assertThrows(ParameterException.class, () -> store.apply(request, caps));
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
        assertSame(before, store.current(), "a rejected request must leave the parameters unchanged");
        return e;
    }

    static void assertRejected(String message, ParameterStore store, MigrateSetParameters request,
            Set<MigrationCapability> caps) {
        assertEquals(message, rejected(store, request, caps).getMessage());
    }

    static void assertRejected(String message, MigrateSetParameters request) {
        assertRejected(message, new ParameterStore(), request, NO_CAPS);
    }
}
