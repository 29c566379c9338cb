package dev.tern.core.capability;

import static dev.tern.core.capability.Caps.assertAccepted;
import static dev.tern.core.capability.Caps.assertRejected;
import static dev.tern.core.capability.Caps.caps;
import static dev.tern.core.capability.Caps.destination;
import static dev.tern.core.capability.Caps.none;
import static dev.tern.core.capability.Caps.on;
import static dev.tern.core.capability.Caps.set;
import static dev.tern.core.capability.Caps.source;
import static dev.tern.api.MigrationCapability.AUTO_CONVERGE;
import static dev.tern.api.MigrationCapability.BLOCK;
import static dev.tern.api.MigrationCapability.COMPRESS;
import static dev.tern.api.MigrationCapability.EVENTS;
import static dev.tern.api.MigrationCapability.MULTIFD;
import static dev.tern.api.MigrationCapability.POSTCOPY_PREEMPT;
import static dev.tern.api.MigrationCapability.POSTCOPY_RAM;
import static dev.tern.api.MigrationCapability.RETURN_PATH;
import static dev.tern.api.MigrationCapability.XBZRLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.CapabilityException;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.core.capability.FakeGuest.FakePostcopy;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code migrate-set-capabilities} mechanics and {@code query-migrate-capabilities}. */
class CapabilityApplyTest {
    // ---- migrate-set-capabilities mechanics -----------------------------------------------

    @Nested
    class Apply {
        @Test
        void laterEntryForTheSameCapabilityWins() {
            assertAccepted(none(), List.of(set(EVENTS, true), set(EVENTS, false)), source(), none());
            assertAccepted(none(), List.of(set(EVENTS, false), set(EVENTS, true)), source(), caps(EVENTS));
        }

        @Test
        void laterEntryCanWithdrawAnInvalidEarlierOne() {
            assertAccepted(none(), List.of(set(BLOCK, true), set(BLOCK, false)), source(), none());
            assertRejected("QEMU compiled without old-style (blk/-b, inc/-i) block migration",
                    none(), List.of(set(BLOCK, false), set(BLOCK, true)), source());
        }

        @Test
        void requestIsOverlaidOnTheCurrentSet() {
            assertAccepted(caps(EVENTS, XBZRLE), List.of(set(XBZRLE, false), set(AUTO_CONVERGE, true)), source(),
                    caps(EVENTS, AUTO_CONVERGE));
        }

        @Test
        void emptyRequestKeepsTheCurrentSet() {
            assertAccepted(caps(EVENTS), List.of(), source(), caps(EVENTS));
            assertAccepted(Set.of(), List.of(), source(), none());
        }

        @Test
        void turningOffACapabilityThatIsOffChangesNothing() {
            assertAccepted(caps(EVENTS), List.of(set(MULTIFD, false)), source(), caps(EVENTS));
        }

        @Test
        void currentSetIsNeverModified() {
            EnumSet<MigrationCapability> current = EnumSet.of(EVENTS);
            CapabilityRules.apply(current, on(MULTIFD), source());
            assertEquals(EnumSet.of(EVENTS), current);

            assertThrows(CapabilityException.class, () -> CapabilityRules.apply(current, on(COMPRESS, MULTIFD), source()));
            assertEquals(EnumSet.of(EVENTS), current);
        }

        @Test
        void resultIsIndependentOfTheCurrentSet() {
            EnumSet<MigrationCapability> current = EnumSet.of(EVENTS);
            EnumSet<MigrationCapability> result = CapabilityRules.apply(current, List.of(), source());
            result.add(XBZRLE);
            assertEquals(EnumSet.of(EVENTS), current);
        }

        @Test
        void acceptsAnImmutableCurrentSet() {
            assertAccepted(Set.of(EVENTS, XBZRLE), on(MULTIFD), source(), caps(EVENTS, XBZRLE, MULTIFD));
        }

        @ParameterizedTest
        @EnumSource(value = MigrationCapability.class, names = {"BLOCK", "ZERO_COPY_SEND", "POSTCOPY_PREEMPT"},
                mode = EnumSource.Mode.EXCLUDE)
        void everyCapabilityWithoutPrerequisitesIsAcceptedAlone(MigrationCapability cap) {
            assertAccepted(none(), on(cap), source(), caps(cap));
        }

        @ParameterizedTest
        @EnumSource(MigrationCapability.class)
        void everyCapabilityCanBeSwitchedOffFromAValidSet(MigrationCapability cap) {
            Set<MigrationCapability> current = caps(EVENTS, POSTCOPY_RAM, RETURN_PATH, MULTIFD, XBZRLE);
            Set<MigrationCapability> expected = EnumSet.copyOf(current);
            expected.remove(cap);
            assertAccepted(current, List.of(set(cap, false)), source(), expected);
        }
    }

    // ---- query-migrate-capabilities ---------------------------------------------------------

    @Nested
    class Query {
        @Test
        void listsEveryCapabilityButBlockInEnumOrder() {
            List<MigrationCapability> expected = Arrays.stream(MigrationCapability.values()).filter(c -> c != BLOCK).toList();
            List<MigrationCapability> listed = CapabilityRules.query(none()).stream()
                    .map(MigrationCapabilityStatus::capability).toList();
            assertEquals(expected, listed);
            assertEquals(MigrationCapability.values().length - 1, listed.size());
        }

        @Test
        void allOffByDefault() {
            assertTrue(CapabilityRules.query(none()).stream().noneMatch(MigrationCapabilityStatus::state));
        }

        @Test
        void reportsTheStateOfEachCapability() {
            Set<MigrationCapability> current = caps(EVENTS, MULTIFD, POSTCOPY_PREEMPT, POSTCOPY_RAM);
            for (MigrationCapabilityStatus status : CapabilityRules.query(current)) {
                assertEquals(current.contains(status.capability()), status.state(), status.capability().qapiName());
            }
        }

        @Test
        void blockIsOmittedEvenIfPresent() {
            assertFalse(CapabilityRules.query(caps(BLOCK)).stream().anyMatch(s -> s.capability() == BLOCK));
        }

        @Test
        void resultIsImmutable() {
            List<MigrationCapabilityStatus> result = CapabilityRules.query(none());
            assertThrows(UnsupportedOperationException.class, () -> result.add(set(EVENTS, true)));
        }
    }

    // ---- check() alone ----------------------------------------------------------------------

    @Test
    void checkJudgesTheNewSetAgainstTheOld() {
        FakePostcopy probe = new FakePostcopy(Optional.of("no uffd"));
        CapabilityContext ctx = destination(FakeGuest.capable().withPostcopy(Optional.of(probe)));
        CapabilityRules.check(caps(POSTCOPY_RAM), caps(POSTCOPY_RAM), ctx);
        CapabilityException e = assertThrows(CapabilityException.class,
                () -> CapabilityRules.check(none(), caps(POSTCOPY_RAM), ctx));
        assertEquals("Postcopy is not supported", e.getMessage());
    }
}
