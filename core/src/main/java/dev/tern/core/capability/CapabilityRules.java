package dev.tern.core.capability;

import static dev.tern.api.MigrationCapability.AUTO_CONVERGE;
import static dev.tern.api.MigrationCapability.BACKGROUND_SNAPSHOT;
import static dev.tern.api.MigrationCapability.BLOCK;
import static dev.tern.api.MigrationCapability.COMPRESS;
import static dev.tern.api.MigrationCapability.DIRTY_BITMAPS;
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
import static dev.tern.api.MigrationCapability.ZERO_COPY_SEND;

import dev.tern.api.CapabilityException;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.guest.PostcopySupport;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.WriteProtection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The capability rules of QEMU 7.2: {@code migrate-set-capabilities} ({@link #apply}), its
 * validation {@code migrate_caps_check} ({@link #check}) and {@code query-migrate-capabilities}
 * ({@link #query}).
 *
 * <p>Tern is built like a QEMU without {@code CONFIG_LIVE_BLOCK_MIGRATION} (so {@code block} can
 * never be turned on and is not listed by {@code query-migrate-capabilities}) and with
 * {@code CONFIG_REPLICATION} (so QEMU's second rule, "QEMU compiled without replication module
 * can't enable COLO", never fires and {@code x-colo} is accepted).
 *
 * <p>Combinations QEMU 7.2 accepts although one side is ineffective are accepted here too:
 * {@code multifd} with {@code xbzrle} (xbzrle is never used), {@code compress} with
 * {@code xbzrle} (compression only for the first pass) and {@code return-path} with anything.
 *
 * <p>Whether a migration is running (QEMU's "There's a migration process in progress") is the
 * caller's check; these rules only judge the capability set.
 */
public final class CapabilityRules {
    private static final System.Logger LOG = System.getLogger(CapabilityRules.class.getName());

    /** Capabilities {@code background-snapshot} refuses, in the order QEMU checks (and reports) them. */
    static final List<MigrationCapability> BACKGROUND_SNAPSHOT_INCOMPATIBLE = List.of(
            POSTCOPY_RAM, DIRTY_BITMAPS, POSTCOPY_BLOCKTIME, LATE_BLOCK_ACTIVATE, RETURN_PATH, MULTIFD,
            PAUSE_BEFORE_SWITCHOVER, AUTO_CONVERGE, RELEASE_RAM, RDMA_PIN_ALL, COMPRESS, XBZRLE, X_COLO,
            VALIDATE_UUID, ZERO_COPY_SEND);

    /** URI schemes that can carry several channels (multifd, postcopy-preempt). */
    private static final Set<String> MULTI_CHANNEL_SCHEMES = Set.of("tcp", "unix", "vsock");

    private CapabilityRules() {
    }

    /**
     * QAPI {@code migrate-set-capabilities}: overlays the request on the current set (entries are
     * applied in order, so a later entry for the same capability wins), validates the merged set
     * against the current one and returns it. Nothing is changed on failure: {@code current} is
     * never modified.
     *
     * @param current the capabilities on now
     * @param request the {@code capabilities} argument: {@code {capability, state}} pairs
     * @param ctx what the rules need to know about the VM
     * @return the new set of capabilities that are on
     * @throws CapabilityException if the merged set breaks a rule (see {@link #check})
     */
    public static EnumSet<MigrationCapability> apply(
            Set<MigrationCapability> current, List<MigrationCapabilityStatus> request, CapabilityContext ctx) {
        EnumSet<MigrationCapability> merged = copyOf(current);
        for (MigrationCapabilityStatus status : request) {
            if (status.state()) {
                merged.add(status.capability());
            } else {
                merged.remove(status.capability());
            }
        }
        check(current, merged, ctx);
        return merged;
    }

    /**
     * QEMU's {@code migrate_caps_check(old, new)}: the rules in QEMU's evaluation order, the
     * first broken one reported.
     * <ol>
     * <li>{@code block} on: old-style block migration is not built in.</li>
     * <li>({@code x-colo} without replication: never, Tern has replication.)</li>
     * <li>{@code postcopy-ram}: being turned on at a destination ({@code inmigrate}) needs host
     *     support; never with {@code x-ignore-shared}.</li>
     * <li>{@code background-snapshot}: needs write protection on the host and for every RAM
     *     block, and none of the capabilities of a fixed list.</li>
     * <li>{@code zero-copy-send}: Linux only; needs {@code multifd}, no {@code compress}, no
     *     {@code xbzrle}, {@code multifd-compression} none and no TLS.</li>
     * <li>{@code multifd} at a destination whose listener runs on a single-channel transport.</li>
     * <li>{@code postcopy-preempt}: needs {@code postcopy-ram}, refuses {@code compress}.</li>
     * <li>{@code multifd} refuses {@code compress}.</li>
     * </ol>
     *
     * @param oldCaps the capabilities on before the change (decides whether postcopy is being
     *     turned on now, and which RAM blocks {@code x-ignore-shared} already skips)
     * @param newCaps the capabilities that would be on after the change
     * @param ctx what the rules need to know about the VM
     * @throws CapabilityException if a rule is broken, with QEMU's message
     */
    public static void check(Set<MigrationCapability> oldCaps, Set<MigrationCapability> newCaps, CapabilityContext ctx) {
        if (newCaps.contains(BLOCK)) {
            throw CapabilityException.blockMigrationUnavailable();
        }
        if (newCaps.contains(POSTCOPY_RAM)) {
            checkPostcopy(oldCaps, newCaps, ctx);
        }
        if (newCaps.contains(BACKGROUND_SNAPSHOT)) {
            checkBackgroundSnapshot(oldCaps, newCaps, ctx);
        }
        if (newCaps.contains(ZERO_COPY_SEND)) {
            checkZeroCopySend(newCaps, ctx);
        }
        // QEMU allows multi-channel transports until an incoming listener says otherwise.
        if (ctx.incomingRunState()
                && ctx.startedIncomingScheme().filter(s -> !MULTI_CHANNEL_SCHEMES.contains(s)).isPresent()
                && newCaps.contains(MULTIFD)) {
            throw CapabilityException.multifdUnsupportedByProtocol();
        }
        if (newCaps.contains(POSTCOPY_PREEMPT)) {
            if (!newCaps.contains(POSTCOPY_RAM)) {
                throw CapabilityException.postcopyPreemptRequiresPostcopyRam();
            }
            if (newCaps.contains(COMPRESS)) {
                throw CapabilityException.postcopyPreemptCompress();
            }
        }
        if (newCaps.contains(MULTIFD) && newCaps.contains(COMPRESS)) {
            throw CapabilityException.multifdCompress();
        }
    }

    /**
     * QAPI {@code query-migrate-capabilities}: every capability in schema order with its state,
     * except {@code block}, which a QEMU without old-style block migration does not list.
     *
     * @param current the capabilities on now
     * @return one entry per capability
     */
    public static List<MigrationCapabilityStatus> query(Set<MigrationCapability> current) {
        List<MigrationCapabilityStatus> result = new ArrayList<>();
        for (MigrationCapability cap : MigrationCapability.values()) {
            if (cap != BLOCK) {
                result.add(new MigrationCapabilityStatus(cap, current.contains(cap)));
            }
        }
        return List.copyOf(result);
    }

    private static void checkPostcopy(Set<MigrationCapability> oldCaps, Set<MigrationCapability> newCaps,
            CapabilityContext ctx) {
        // The probe is expensive and only a destination needs host support, so QEMU runs it
        // only when postcopy-ram is being switched on in the inmigrate runstate.
        if (!oldCaps.contains(POSTCOPY_RAM) && ctx.incomingRunState()) {
            Optional<PostcopySupport> support = ctx.guest().postcopy();
            Optional<String> reason = support.isEmpty()
                    ? Optional.of("the guest offers no missing-page fault handling (Guest.postcopy() is empty)")
                    : support.get().unsupportedReason();
            if (reason.isPresent()) {
                // QEMU reports the probe's detail with error_report, outside the QMP error.
                LOG.log(System.Logger.Level.WARNING, "Postcopy is not supported: {0}", reason.get());
                throw CapabilityException.postcopyUnsupported();
            }
        }
        if (newCaps.contains(X_IGNORE_SHARED)) {
            throw CapabilityException.postcopyIgnoreShared();
        }
    }

    private static void checkBackgroundSnapshot(Set<MigrationCapability> oldCaps, Set<MigrationCapability> newCaps,
            CapabilityContext ctx) {
        Optional<WriteProtection> wp = ctx.guest().writeProtection();
        if (wp.isEmpty() || !wp.get().hostSupported()) {
            throw CapabilityException.backgroundSnapshotUnsupportedByHost();
        }
        // QEMU probes the blocks it would migrate: with x-ignore-shared already on (the current
        // setting, not the requested one) shared blocks are skipped.
        boolean ignoreShared = oldCaps.contains(X_IGNORE_SHARED);
        for (RamBlock block : ctx.guest().ramBlocks()) {
            if (ignoreShared && block.shared()) {
                continue;
            }
            if (!wp.get().supports(block)) {
                throw CapabilityException.backgroundSnapshotMemoryIncompatible();
            }
        }
        for (MigrationCapability other : BACKGROUND_SNAPSHOT_INCOMPATIBLE) {
            if (newCaps.contains(other)) {
                throw CapabilityException.backgroundSnapshotIncompatible(other);
            }
        }
    }

    private static void checkZeroCopySend(Set<MigrationCapability> newCaps, CapabilityContext ctx) {
        if (!ctx.linux()) {
            throw CapabilityException.zeroCopyLinuxOnly();
        }
        MigrationParameters params = ctx.parameters();
        boolean multifdCompression = params.multifdCompression().orElse(MultiFdCompression.NONE) != MultiFdCompression.NONE;
        boolean tls = !params.tlsCreds().orElse("").isEmpty();
        if (!newCaps.contains(MULTIFD) || newCaps.contains(COMPRESS) || newCaps.contains(XBZRLE)
                || multifdCompression || tls) {
            throw CapabilityException.zeroCopyRequirements();
        }
    }

    private static EnumSet<MigrationCapability> copyOf(Set<MigrationCapability> caps) {
        EnumSet<MigrationCapability> copy = EnumSet.noneOf(MigrationCapability.class);
        copy.addAll(caps);
        return copy;
    }
}
