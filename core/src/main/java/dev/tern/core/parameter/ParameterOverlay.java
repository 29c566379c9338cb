package dev.tern.core.parameter;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationParameters;

/**
 * The "test-apply" step of {@code migrate-set-parameters}: the current parameters with every
 * member the request carries replaced by the requested value.
 *
 * <p>Deliberate deviation from QEMU 7.2: {@code multifd-zlib-level} and
 * {@code multifd-zstd-level} are copied (and so validated, stored and reported) like every other
 * member; QEMU 7.2 silently drops them (fixed in later QEMU versions).
 *
 * <p>{@code tls-creds}, {@code tls-hostname} and {@code tls-authz} are {@code StrOrNull}; the
 * caller turns a JSON {@code null} into {@code ""} before this step, so an absent member means
 * "unchanged" and {@code ""} means "cleared".
 */
public final class ParameterOverlay {
    private ParameterOverlay() {
    }

    /**
     * Overlays a {@code migrate-set-parameters} request on the current values.
     *
     * @param current the current parameters
     * @param request the request; absent members leave the current value unchanged
     * @return the merged parameters, not yet validated
     */
    public static MigrationParameters overlay(MigrationParameters current, MigrateSetParameters request) {
        MigrationParameters.Builder b = current.toBuilder();
        request.announceInitial().ifPresent(b::announceInitial);
        request.announceMax().ifPresent(b::announceMax);
        request.announceRounds().ifPresent(b::announceRounds);
        request.announceStep().ifPresent(b::announceStep);
        request.compressLevel().ifPresent(b::compressLevel);
        request.compressThreads().ifPresent(b::compressThreads);
        request.compressWaitThread().ifPresent(b::compressWaitThread);
        request.decompressThreads().ifPresent(b::decompressThreads);
        request.throttleTriggerThreshold().ifPresent(b::throttleTriggerThreshold);
        request.cpuThrottleInitial().ifPresent(b::cpuThrottleInitial);
        request.cpuThrottleIncrement().ifPresent(b::cpuThrottleIncrement);
        request.cpuThrottleTailslow().ifPresent(b::cpuThrottleTailslow);
        request.tlsCreds().ifPresent(b::tlsCreds);
        request.tlsHostname().ifPresent(b::tlsHostname);
        request.tlsAuthz().ifPresent(b::tlsAuthz);
        request.maxBandwidth().ifPresent(b::maxBandwidth);
        request.downtimeLimit().ifPresent(b::downtimeLimit);
        request.xCheckpointDelay().ifPresent(b::xCheckpointDelay);
        request.blockIncremental().ifPresent(b::blockIncremental);
        request.multifdChannels().ifPresent(b::multifdChannels);
        request.xbzrleCacheSize().ifPresent(b::xbzrleCacheSize);
        request.maxPostcopyBandwidth().ifPresent(b::maxPostcopyBandwidth);
        request.maxCpuThrottle().ifPresent(b::maxCpuThrottle);
        request.multifdCompression().ifPresent(b::multifdCompression);
        request.multifdZlibLevel().ifPresent(b::multifdZlibLevel);
        request.multifdZstdLevel().ifPresent(b::multifdZstdLevel);
        request.blockBitmapMapping().ifPresent(b::blockBitmapMapping);
        return b.build();
    }
}
