package dev.tern.core.capability;

import static dev.tern.core.capability.Caps.assertAccepted;
import static dev.tern.core.capability.Caps.assertRejected;
import static dev.tern.core.capability.Caps.caps;
import static dev.tern.core.capability.Caps.destination;
import static dev.tern.core.capability.Caps.none;
import static dev.tern.core.capability.Caps.on;
import static dev.tern.core.capability.Caps.set;
import static dev.tern.core.capability.Caps.source;
import static dev.tern.core.capability.Caps.withGuest;
import static dev.tern.core.capability.Caps.withParameters;
import static dev.tern.api.MigrationCapability.AUTO_CONVERGE;
import static dev.tern.api.MigrationCapability.BACKGROUND_SNAPSHOT;
import static dev.tern.api.MigrationCapability.BLOCK;
import static dev.tern.api.MigrationCapability.COMPRESS;
import static dev.tern.api.MigrationCapability.DIRTY_BITMAPS;
import static dev.tern.api.MigrationCapability.EVENTS;
import static dev.tern.api.MigrationCapability.LATE_BLOCK_ACTIVATE;
import static dev.tern.api.MigrationCapability.MULTIFD;
import static dev.tern.api.MigrationCapability.PAUSE_BEFORE_SWITCHOVER;
import static dev.tern.api.MigrationCapability.POSTCOPY_BLOCKTIME;
import static dev.tern.api.MigrationCapability.POSTCOPY_PREEMPT;
import static dev.tern.api.MigrationCapability.POSTCOPY_RAM;
import static dev.tern.api.MigrationCapability.RDMA_PIN_ALL;
import static dev.tern.api.MigrationCapability.RELEASE_RAM;
import static dev.tern.api.MigrationCapability.RETURN_PATH;
import static dev.tern.api.MigrationCapability.VALIDATE_UUID;
import static dev.tern.api.MigrationCapability.XBZRLE;
import static dev.tern.api.MigrationCapability.X_COLO;
import static dev.tern.api.MigrationCapability.X_IGNORE_SHARED;
import static dev.tern.api.MigrationCapability.ZERO_BLOCKS;
import static dev.tern.api.MigrationCapability.ZERO_COPY_SEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.guest.PostcopySupport;
import dev.tern.api.guest.WriteProtection;
import dev.tern.core.capability.FakeGuest.FakePostcopy;
import dev.tern.core.capability.FakeGuest.FakeWriteProtection;
import dev.tern.core.parameter.ParameterDefaults;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of {@code migrate_caps_check}: its rejection with the exact message, the accepted edge next to it, and its place in the evaluation order. */
class CapabilityRulesTest {

    /** The list from the spec (§2.3 rule 4), written out independently of the main code. */
    private static final List<MigrationCapability> BG_INCOMPATIBLE_IN_ORDER = List.of(
            POSTCOPY_RAM, DIRTY_BITMAPS, POSTCOPY_BLOCKTIME, LATE_BLOCK_ACTIVATE, RETURN_PATH, MULTIFD,
            PAUSE_BEFORE_SWITCHOVER, AUTO_CONVERGE, RELEASE_RAM, RDMA_PIN_ALL, COMPRESS, XBZRLE, X_COLO,
            VALIDATE_UUID, ZERO_COPY_SEND);

    // ---- rule 1: block ----------------------------------------------------------------------

    @Nested
    class Block {
        @Test
        void blockIsRefusedWithoutTheHint() {
            assertRejected("QEMU compiled without old-style (blk/-b, inc/-i) block migration",
                    none(), on(BLOCK), source());
        }

        @Test
        void blockIsCheckedBeforeEveryOtherRule() {
            assertRejected("QEMU compiled without old-style (blk/-b, inc/-i) block migration",
                    none(), on(BLOCK, MULTIFD, COMPRESS, POSTCOPY_PREEMPT, X_IGNORE_SHARED, POSTCOPY_RAM), source());
        }

        @Test
        void blockTurnedOffIsAccepted() {
            assertAccepted(none(), List.of(set(BLOCK, false)), source(), none());
        }
    }

    // ---- rule 2: x-colo ---------------------------------------------------------------------

    @Test
    void xColoIsAcceptedBecauseTernHasReplication() {
        assertAccepted(none(), on(X_COLO), source(), caps(X_COLO));
        assertAccepted(caps(X_COLO), on(EVENTS, RETURN_PATH), source(), caps(X_COLO, EVENTS, RETURN_PATH));
    }

    // ---- rule 3: postcopy-ram ---------------------------------------------------------------

    @Nested
    class Postcopy {
        @Test
        void destinationWithoutPostcopySupportRefusesIt() {
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.empty());
            assertRejected("Postcopy is not supported", none(), on(POSTCOPY_RAM), destination(guest));
        }

        @Test
        void destinationWhoseProbeFailsRefusesIt() {
            FakePostcopy probe = new FakePostcopy(Optional.of("userfaultfd not available"));
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.of(probe));
            assertRejected("Postcopy is not supported", none(), on(POSTCOPY_RAM), destination(guest));
            assertEquals(1, probe.probes);
        }

        @Test
        void destinationWhoseProbePassesAcceptsIt() {
            FakePostcopy probe = new FakePostcopy(Optional.empty());
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.of(probe));
            assertAccepted(none(), on(POSTCOPY_RAM), destination(guest), caps(POSTCOPY_RAM));
            assertEquals(1, probe.probes);
        }

        @Test
        void sourceDoesNotProbe() {
            FakePostcopy probe = new FakePostcopy(Optional.of("no userfaultfd"));
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.of(probe));
            assertAccepted(none(), on(POSTCOPY_RAM), withGuest(guest), caps(POSTCOPY_RAM));
            assertEquals(0, probe.probes);
            assertAccepted(none(), on(POSTCOPY_RAM), withGuest(guest.withPostcopy(Optional.empty())), caps(POSTCOPY_RAM));
        }

        @Test
        void probeRunsOnlyWhenPostcopyIsBeingTurnedOn() {
            FakePostcopy probe = new FakePostcopy(Optional.of("no userfaultfd"));
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.of(probe));
            // Already on (e.g. set before the runstate became inmigrate): no probe, no failure.
            assertAccepted(caps(POSTCOPY_RAM), on(EVENTS), destination(guest), caps(POSTCOPY_RAM, EVENTS));
            assertAccepted(caps(POSTCOPY_RAM), on(POSTCOPY_RAM), destination(guest), caps(POSTCOPY_RAM));
            assertEquals(0, probe.probes);
        }

        @Test
        void probeIsSkippedWhenPostcopyStaysOff() {
            FakePostcopy probe = new FakePostcopy(Optional.of("no userfaultfd"));
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.of(probe));
            assertAccepted(none(), List.of(set(POSTCOPY_RAM, true), set(POSTCOPY_RAM, false)), destination(guest), none());
            assertEquals(0, probe.probes);
        }

        @Test
        void ignoreSharedIsRefusedInTheSameCall() {
            assertRejected("Postcopy is not compatible with ignore-shared", none(), on(POSTCOPY_RAM, X_IGNORE_SHARED), source());
        }

        @Test
        void ignoreSharedIsRefusedWhenEitherIsAlreadyOn() {
            assertRejected("Postcopy is not compatible with ignore-shared", caps(POSTCOPY_RAM), on(X_IGNORE_SHARED), source());
            assertRejected("Postcopy is not compatible with ignore-shared", caps(X_IGNORE_SHARED), on(POSTCOPY_RAM), source());
        }

        @Test
        void ignoreSharedAloneIsAccepted() {
            assertAccepted(none(), on(X_IGNORE_SHARED), source(), caps(X_IGNORE_SHARED));
        }

        @Test
        void unsupportedHostIsReportedBeforeIgnoreShared() {
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.empty());
            assertRejected("Postcopy is not supported", none(), on(POSTCOPY_RAM, X_IGNORE_SHARED), destination(guest));
        }

        @Test
        void ignoreSharedIsCheckedOnADestinationToo() {
            assertRejected("Postcopy is not compatible with ignore-shared", none(), on(POSTCOPY_RAM, X_IGNORE_SHARED),
                    destination(FakeGuest.capable()));
        }

        @Test
        void postcopyIsCheckedBeforeBackgroundSnapshot() {
            assertRejected("Postcopy is not compatible with ignore-shared", none(),
                    on(POSTCOPY_RAM, X_IGNORE_SHARED, BACKGROUND_SNAPSHOT), source());
        }
    }

    // ---- rule 4: background-snapshot --------------------------------------------------------

    @Nested
    class BackgroundSnapshot {
        @Test
        void acceptedWhenHostAndMemorySupportWriteProtection() {
            assertAccepted(none(), on(BACKGROUND_SNAPSHOT), source(), caps(BACKGROUND_SNAPSHOT));
        }

        @Test
        void guestWithoutWriteProtectionIsUnsupportedByHost() {
            FakeGuest guest = FakeGuest.capable().withWriteProtection(Optional.empty());
            assertRejected("Background-snapshot is not supported by host kernel", none(), on(BACKGROUND_SNAPSHOT),
                    withGuest(guest));
        }

        @Test
        void hostWithoutWriteProtectFaultsIsUnsupported() {
            FakeGuest guest = FakeGuest.capable()
                    .withWriteProtection(Optional.of(new FakeWriteProtection(false, Set.of())));
            assertRejected("Background-snapshot is not supported by host kernel", none(), on(BACKGROUND_SNAPSHOT),
                    withGuest(guest));
        }

        @Test
        void hostSupportIsCheckedBeforeMemoryAndCapabilities() {
            FakeGuest guest = FakeGuest.capable()
                    .withWriteProtection(Optional.of(new FakeWriteProtection(false, Set.of("pc.ram"))));
            assertRejected("Background-snapshot is not supported by host kernel", none(),
                    on(BACKGROUND_SNAPSHOT, XBZRLE), withGuest(guest));
        }

        @Test
        void aBlockThatCannotBeProtectedIsRefused() {
            FakeGuest guest = FakeGuest.capable()
                    .withBlocks(FakeGuest.block("pc.ram", false), FakeGuest.block("vga.vram", false))
                    .withWriteProtection(Optional.of(new FakeWriteProtection(true, Set.of("vga.vram"))));
            assertRejected("Background-snapshot is not compatible with guest memory configuration", none(),
                    on(BACKGROUND_SNAPSHOT), withGuest(guest));
        }

        @Test
        void memoryIsCheckedBeforeIncompatibleCapabilities() {
            FakeGuest guest = FakeGuest.capable()
                    .withWriteProtection(Optional.of(new FakeWriteProtection(true, Set.of("pc.ram"))));
            assertRejected("Background-snapshot is not compatible with guest memory configuration", none(),
                    on(BACKGROUND_SNAPSHOT, POSTCOPY_RAM), withGuest(guest));
        }

        @Test
        void sharedBlockIsSkippedOnlyWhenIgnoreSharedIsAlreadyOn() {
            FakeGuest guest = FakeGuest.capable()
                    .withBlocks(FakeGuest.block("pc.ram", false), FakeGuest.block("shm", true))
                    .withWriteProtection(Optional.of(new FakeWriteProtection(true, Set.of("shm"))));
            // QEMU probes the blocks it would migrate under the current x-ignore-shared setting.
            assertAccepted(caps(X_IGNORE_SHARED), on(BACKGROUND_SNAPSHOT), withGuest(guest),
                    caps(X_IGNORE_SHARED, BACKGROUND_SNAPSHOT));
            assertRejected("Background-snapshot is not compatible with guest memory configuration", none(),
                    on(X_IGNORE_SHARED, BACKGROUND_SNAPSHOT), withGuest(guest));
            assertRejected("Background-snapshot is not compatible with guest memory configuration", none(),
                    on(BACKGROUND_SNAPSHOT), withGuest(guest));
        }

        @Test
        void privateBlockIsProbedEvenWithIgnoreShared() {
            FakeGuest guest = FakeGuest.capable()
                    .withWriteProtection(Optional.of(new FakeWriteProtection(true, Set.of("pc.ram"))));
            assertRejected("Background-snapshot is not compatible with guest memory configuration", caps(X_IGNORE_SHARED),
                    on(BACKGROUND_SNAPSHOT), withGuest(guest));
        }

        @Test
        void incompatibleListIsTheSpecList() {
            assertEquals(BG_INCOMPATIBLE_IN_ORDER, CapabilityRules.BACKGROUND_SNAPSHOT_INCOMPATIBLE);
        }

        static Stream<MigrationCapability> incompatible() {
            return BG_INCOMPATIBLE_IN_ORDER.stream();
        }

        @ParameterizedTest
        @MethodSource("incompatible")
        void eachIncompatibleCapabilityIsNamedByItsQapiName(MigrationCapability other) {
            assertRejected("Background-snapshot is not compatible with " + other.qapiName(), none(),
                    on(BACKGROUND_SNAPSHOT, other), source());
        }

        @ParameterizedTest
        @MethodSource("incompatible")
        void incompatibleCapabilityAlreadyOnIsRefusedToo(MigrationCapability other) {
            Set<MigrationCapability> current = EnumSet.of(other);
            // zero-copy-send alone is not a valid current set; the rule does not care.
            assertRejected("Background-snapshot is not compatible with " + other.qapiName(), current,
                    on(BACKGROUND_SNAPSHOT), source());
        }

        static Stream<Arguments> consecutivePairs() {
            return IntStream.range(0, BG_INCOMPATIBLE_IN_ORDER.size() - 1)
                    .mapToObj(i -> Arguments.of(BG_INCOMPATIBLE_IN_ORDER.get(i), BG_INCOMPATIBLE_IN_ORDER.get(i + 1)));
        }

        @ParameterizedTest
        @MethodSource("consecutivePairs")
        void firstIncompatibleCapabilityInQemuOrderIsReported(MigrationCapability first, MigrationCapability second) {
            assertRejected("Background-snapshot is not compatible with " + first.qapiName(), none(),
                    on(second, BACKGROUND_SNAPSHOT, first), source());
        }

        @Test
        void allIncompatibleCapabilitiesOnReportsPostcopyRam() {
            List<MigrationCapabilityStatus> request = new ArrayList<>(on(BACKGROUND_SNAPSHOT));
            request.addAll(BG_INCOMPATIBLE_IN_ORDER.reversed().stream().map(c -> set(c, true)).toList());
            assertRejected("Background-snapshot is not compatible with postcopy-ram", none(), request, source());
        }

        @ParameterizedTest
        @EnumSource(value = MigrationCapability.class, names = {"EVENTS", "ZERO_BLOCKS", "X_IGNORE_SHARED"})
        void compatibleCapabilitiesAreAccepted(MigrationCapability other) {
            assertAccepted(none(), on(BACKGROUND_SNAPSHOT, other), source(), caps(BACKGROUND_SNAPSHOT, other));
        }

        @Test
        void everyCapabilityIsEitherCompatibleOrListed() {
            // Guards the two lists above: block and postcopy-preempt fail other rules first.
            Set<MigrationCapability> covered = EnumSet.of(EVENTS, ZERO_BLOCKS, X_IGNORE_SHARED, BACKGROUND_SNAPSHOT, BLOCK,
                    POSTCOPY_PREEMPT);
            covered.addAll(BG_INCOMPATIBLE_IN_ORDER);
            assertEquals(EnumSet.allOf(MigrationCapability.class), covered);
        }

        @Test
        void postcopyPreemptWithBackgroundSnapshotFailsOnItsOwnRule() {
            assertRejected("Postcopy preempt requires postcopy-ram", none(), on(BACKGROUND_SNAPSHOT, POSTCOPY_PREEMPT),
                    source());
        }

        @Test
        void backgroundSnapshotOffSkipsTheProbe() {
            FakeGuest guest = FakeGuest.capable().withWriteProtection(Optional.empty());
            assertAccepted(none(), on(XBZRLE, MULTIFD, RETURN_PATH), withGuest(guest), caps(XBZRLE, MULTIFD, RETURN_PATH));
        }
    }

    // ---- rule 5: zero-copy-send -------------------------------------------------------------

    @Nested
    class ZeroCopySend {
        private static final String REQUIREMENTS = "Zero copy only available for non-compressed non-TLS multifd migration";

        @Test
        void acceptedWithPlainMultifdOnLinux() {
            assertAccepted(none(), on(ZERO_COPY_SEND, MULTIFD), source(), caps(ZERO_COPY_SEND, MULTIFD));
        }

        @Test
        void acceptedWhenMultifdIsAlreadyOn() {
            assertAccepted(caps(MULTIFD), on(ZERO_COPY_SEND), source(), caps(ZERO_COPY_SEND, MULTIFD));
        }

        @Test
        void refusedWithoutMultifd() {
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND), source());
        }

        @Test
        void refusedWhenMultifdIsSwitchedOffLater() {
            assertRejected(REQUIREMENTS, caps(ZERO_COPY_SEND, MULTIFD), List.of(set(MULTIFD, false)), source());
        }

        @Test
        void refusedWithCompressBeforeTheMultifdCompressRule() {
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND, MULTIFD, COMPRESS), source());
        }

        @Test
        void refusedWithXbzrle() {
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND, MULTIFD, XBZRLE), source());
        }

        @ParameterizedTest
        @EnumSource(value = MultiFdCompression.class, names = {"ZLIB", "ZSTD"})
        void refusedWithMultifdCompression(MultiFdCompression method) {
            MigrationParameters params = ParameterDefaults.DEFAULTS.toBuilder().multifdCompression(method).build();
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND, MULTIFD), withParameters(params));
        }

        @Test
        void acceptedWithMultifdCompressionNoneOrUnset() {
            MigrationParameters unset = MigrationParameters.builder().build();
            assertAccepted(none(), on(ZERO_COPY_SEND, MULTIFD), withParameters(unset), caps(ZERO_COPY_SEND, MULTIFD));
        }

        @Test
        void refusedWithTls() {
            MigrationParameters params = ParameterDefaults.DEFAULTS.toBuilder().tlsCreds("tls0").build();
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND, MULTIFD), withParameters(params));
        }

        @Test
        void tlsHostnameAndAuthzDoNotCount() {
            MigrationParameters params = ParameterDefaults.DEFAULTS.toBuilder().tlsHostname("dst").tlsAuthz("authz0")
                    .build();
            assertAccepted(none(), on(ZERO_COPY_SEND, MULTIFD), withParameters(params), caps(ZERO_COPY_SEND, MULTIFD));
        }

        @Test
        void nonLinuxRefusesZeroCopyEvenWithMultifd() {
            CapabilityContext ctx = new CapabilityContext(false, Optional.empty(), ParameterDefaults.DEFAULTS,
                    FakeGuest.capable(), false);
            assertRejected("Zero copy currently only available on Linux", none(), on(ZERO_COPY_SEND, MULTIFD), ctx);
            assertRejected("Zero copy currently only available on Linux", none(), on(ZERO_COPY_SEND), ctx);
        }

        @Test
        void nonLinuxAcceptsEverythingElse() {
            CapabilityContext ctx = new CapabilityContext(false, Optional.empty(), ParameterDefaults.DEFAULTS,
                    FakeGuest.capable(), false);
            assertAccepted(none(), on(MULTIFD, XBZRLE, RETURN_PATH), ctx, caps(MULTIFD, XBZRLE, RETURN_PATH));
        }

        @Test
        void zeroCopyIsCheckedBeforePostcopyPreempt() {
            assertRejected(REQUIREMENTS, none(), on(ZERO_COPY_SEND, POSTCOPY_PREEMPT), source());
        }
    }

    // ---- rule 6: multifd on a single-channel incoming transport -----------------------------

    @Nested
    class IncomingMultifd {
        private CapabilityContext incoming(boolean inmigrate, String scheme) {
            return new CapabilityContext(inmigrate, Optional.ofNullable(scheme), ParameterDefaults.DEFAULTS,
                    FakeGuest.capable(), true);
        }

        @ParameterizedTest
        @ValueSource(strings = {"fd", "exec", "file", "rdma"})
        void singleChannelTransportRefusesMultifd(String scheme) {
            assertRejected("multifd is not supported by current protocol", none(), on(MULTIFD), incoming(true, scheme));
        }

        @ParameterizedTest
        @ValueSource(strings = {"tcp", "unix", "vsock"})
        void multiChannelTransportAcceptsMultifd(String scheme) {
            assertAccepted(none(), on(MULTIFD), incoming(true, scheme), caps(MULTIFD));
        }

        @Test
        void noListenerYetAcceptsMultifd() {
            assertAccepted(none(), on(MULTIFD), incoming(true, null), caps(MULTIFD));
        }

        @Test
        void outsideInmigrateTheSchemeDoesNotMatter() {
            assertAccepted(none(), on(MULTIFD), incoming(false, "exec"), caps(MULTIFD));
        }

        @Test
        void multifdAlreadyOnIsRefusedOnAnyChange() {
            // QEMU checks the merged set, not only newly enabled capabilities.
            assertRejected("multifd is not supported by current protocol", caps(MULTIFD), on(EVENTS), incoming(true, "fd"));
        }

        @Test
        void otherCapabilitiesAreAcceptedOnASingleChannelTransport() {
            assertAccepted(none(), on(EVENTS, XBZRLE, RETURN_PATH), incoming(true, "exec"), caps(EVENTS, XBZRLE, RETURN_PATH));
        }

        @Test
        void protocolIsCheckedBeforeMultifdCompress() {
            assertRejected("multifd is not supported by current protocol", none(), on(MULTIFD, COMPRESS),
                    incoming(true, "exec"));
        }

        @Test
        void zeroCopyIsCheckedBeforeTheProtocol() {
            assertRejected("Zero copy only available for non-compressed non-TLS multifd migration", none(),
                    on(MULTIFD, XBZRLE, ZERO_COPY_SEND), incoming(true, "exec"));
        }
    }

    // ---- rule 7: postcopy-preempt -----------------------------------------------------------

    @Nested
    class PostcopyPreempt {
        @Test
        void refusedAlone() {
            assertRejected("Postcopy preempt requires postcopy-ram", none(), on(POSTCOPY_PREEMPT), source());
        }

        @Test
        void acceptedWithPostcopyRamInTheSameCall() {
            assertAccepted(none(), on(POSTCOPY_PREEMPT, POSTCOPY_RAM), source(), caps(POSTCOPY_RAM, POSTCOPY_PREEMPT));
        }

        @Test
        void acceptedWhenPostcopyRamWasSetByAnEarlierCall() {
            EnumSet<MigrationCapability> current = CapabilityRules.apply(none(), on(POSTCOPY_RAM), source());
            current = CapabilityRules.apply(current, on(POSTCOPY_PREEMPT), source());
            assertEquals(caps(POSTCOPY_RAM, POSTCOPY_PREEMPT), current);
        }

        @Test
        void switchingPostcopyRamOffWhilePreemptStaysOnIsRefused() {
            Set<MigrationCapability> current = caps(POSTCOPY_RAM, POSTCOPY_PREEMPT);
            assertRejected("Postcopy preempt requires postcopy-ram", current, List.of(set(POSTCOPY_RAM, false)), source());
        }

        @Test
        void switchingBothOffIsAccepted() {
            assertAccepted(caps(POSTCOPY_RAM, POSTCOPY_PREEMPT),
                    List.of(set(POSTCOPY_RAM, false), set(POSTCOPY_PREEMPT, false)), source(), none());
            assertAccepted(caps(POSTCOPY_RAM, POSTCOPY_PREEMPT, EVENTS), List.of(set(POSTCOPY_PREEMPT, false)), source(),
                    caps(POSTCOPY_RAM, EVENTS));
        }

        @Test
        void refusedWithCompress() {
            assertRejected("Postcopy preempt not compatible with compress", none(),
                    on(POSTCOPY_PREEMPT, POSTCOPY_RAM, COMPRESS), source());
        }

        @Test
        void refusedWhenCompressWasAlreadyOn() {
            assertRejected("Postcopy preempt not compatible with compress", caps(COMPRESS),
                    on(POSTCOPY_PREEMPT, POSTCOPY_RAM), source());
        }

        @Test
        void missingPostcopyRamIsReportedBeforeCompress() {
            assertRejected("Postcopy preempt requires postcopy-ram", none(), on(POSTCOPY_PREEMPT, COMPRESS), source());
        }

        @Test
        void preemptIsCheckedBeforeMultifdCompress() {
            assertRejected("Postcopy preempt not compatible with compress", none(),
                    on(MULTIFD, COMPRESS, POSTCOPY_PREEMPT, POSTCOPY_RAM), source());
        }

        @Test
        void postcopyRamWithCompressIsAcceptedWithoutPreempt() {
            assertAccepted(none(), on(POSTCOPY_RAM, COMPRESS), source(), caps(POSTCOPY_RAM, COMPRESS));
        }

        @Test
        void destinationProbeAppliesWhenBothAreTurnedOn() {
            FakeGuest guest = FakeGuest.capable().withPostcopy(Optional.<PostcopySupport>empty());
            assertRejected("Postcopy is not supported", none(), on(POSTCOPY_PREEMPT, POSTCOPY_RAM), destination(guest));
        }
    }

    // ---- rule 8: multifd + compress ---------------------------------------------------------

    @Nested
    class MultifdCompress {
        @Test
        void refusedInOneCall() {
            assertRejected("Multifd is not compatible with compress", none(), on(MULTIFD, COMPRESS), source());
        }

        @Test
        void refusedWhenEitherIsAlreadyOn() {
            assertRejected("Multifd is not compatible with compress", caps(MULTIFD), on(COMPRESS), source());
            assertRejected("Multifd is not compatible with compress", caps(COMPRESS), on(MULTIFD), source());
        }

        @Test
        void swappingOneForTheOtherIsAccepted() {
            assertAccepted(caps(MULTIFD), List.of(set(MULTIFD, false), set(COMPRESS, true)), source(), caps(COMPRESS));
        }
    }

    // ---- accepted but ineffective combinations ----------------------------------------------

    @Nested
    class AcceptedCombinations {
        @Test
        void multifdWithXbzrle() {
            assertAccepted(none(), on(MULTIFD, XBZRLE), source(), caps(MULTIFD, XBZRLE));
        }

        @Test
        void compressWithXbzrle() {
            assertAccepted(none(), on(COMPRESS, XBZRLE), source(), caps(COMPRESS, XBZRLE));
        }

        @Test
        void releaseRamWithPostcopy() {
            assertAccepted(none(), on(RELEASE_RAM, POSTCOPY_RAM), source(), caps(RELEASE_RAM, POSTCOPY_RAM));
        }

        @ParameterizedTest
        @EnumSource(value = MigrationCapability.class,
                names = {"BLOCK", "ZERO_COPY_SEND", "POSTCOPY_PREEMPT", "BACKGROUND_SNAPSHOT", "RETURN_PATH"},
                mode = EnumSource.Mode.EXCLUDE)
        void returnPathWithAnything(MigrationCapability other) {
            assertAccepted(none(), on(RETURN_PATH, other), source(), caps(RETURN_PATH, other));
        }

        @Test
        void returnPathWithTheCapabilitiesThatNeedPartners() {
            assertAccepted(none(), on(RETURN_PATH, ZERO_COPY_SEND, MULTIFD), source(), caps(RETURN_PATH, ZERO_COPY_SEND, MULTIFD));
            assertAccepted(none(), on(RETURN_PATH, POSTCOPY_PREEMPT, POSTCOPY_RAM), source(),
                    caps(RETURN_PATH, POSTCOPY_PREEMPT, POSTCOPY_RAM));
        }

        @Test
        void aLargeValidSet() {
            Set<MigrationCapability> all = caps(XBZRLE, RDMA_PIN_ALL, AUTO_CONVERGE, ZERO_BLOCKS, EVENTS, POSTCOPY_RAM,
                    X_COLO, RELEASE_RAM, RETURN_PATH, PAUSE_BEFORE_SWITCHOVER, MULTIFD, DIRTY_BITMAPS, POSTCOPY_BLOCKTIME,
                    LATE_BLOCK_ACTIVATE, VALIDATE_UUID, POSTCOPY_PREEMPT);
            assertAccepted(none(), all.stream().map(c -> set(c, true)).toList(), source(), all);
        }
    }

    @Test
    void writeProtectionFakeIsConsulted() {
        // Sanity check of the fake itself, so the background-snapshot tests cannot pass vacuously.
        WriteProtection wp = new FakeWriteProtection(true, Set.of("x"));
        assertFalse(wp.supports(FakeGuest.block("x", false)));
        assertTrue(wp.supports(FakeGuest.block("y", false)));
    }
}
