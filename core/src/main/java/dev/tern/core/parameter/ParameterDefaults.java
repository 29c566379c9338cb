package dev.tern.core.parameter;

import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;

/**
 * The values {@code query-migrate-parameters} reports before anything was set: QEMU 7.2's
 * defaults ({@code migration.c}, the {@code DEFAULT_MIGRATE_*} constants and the migration
 * object's properties).
 */
public final class ParameterDefaults {
    /**
     * Every parameter at QEMU's default; {@code tls-creds}, {@code tls-hostname} and
     * {@code tls-authz} are {@code ""}; {@code block-bitmap-mapping} is absent (it is reported
     * only once it has been set).
     */
    public static final MigrationParameters DEFAULTS = MigrationParameters.builder()
            .announceInitial(50)
            .announceMax(550)
            .announceRounds(5)
            .announceStep(100)
            .compressLevel(1)
            .compressThreads(8)
            .compressWaitThread(true)
            .decompressThreads(2)
            .throttleTriggerThreshold(50)
            .cpuThrottleInitial(20)
            .cpuThrottleIncrement(10)
            .cpuThrottleTailslow(false)
            .tlsCreds("")
            .tlsHostname("")
            // QEMU keeps tls-authz unset but reports it as "".
            .tlsAuthz("")
            .maxBandwidth(128L << 20)
            .downtimeLimit(300)
            .xCheckpointDelay(20_000)
            .blockIncremental(false)
            .multifdChannels(2)
            .xbzrleCacheSize(64L << 20)
            .maxPostcopyBandwidth(0)
            .maxCpuThrottle(99)
            .multifdCompression(MultiFdCompression.NONE)
            .multifdZlibLevel(1)
            .multifdZstdLevel(1)
            .build();

    private ParameterDefaults() {
    }
}
