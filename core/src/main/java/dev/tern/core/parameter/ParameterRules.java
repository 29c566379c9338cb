package dev.tern.core.parameter;

import static dev.tern.api.MigrationParameter.ANNOUNCE_INITIAL;
import static dev.tern.api.MigrationParameter.ANNOUNCE_MAX;
import static dev.tern.api.MigrationParameter.ANNOUNCE_ROUNDS;
import static dev.tern.api.MigrationParameter.ANNOUNCE_STEP;
import static dev.tern.api.MigrationParameter.COMPRESS_LEVEL;
import static dev.tern.api.MigrationParameter.COMPRESS_THREADS;
import static dev.tern.api.MigrationParameter.CPU_THROTTLE_INCREMENT;
import static dev.tern.api.MigrationParameter.CPU_THROTTLE_INITIAL;
import static dev.tern.api.MigrationParameter.DECOMPRESS_THREADS;
import static dev.tern.api.MigrationParameter.MULTIFD_CHANNELS;
import static dev.tern.api.MigrationParameter.MULTIFD_ZLIB_LEVEL;
import static dev.tern.api.MigrationParameter.MULTIFD_ZSTD_LEVEL;
import static dev.tern.api.MigrationParameter.THROTTLE_TRIGGER_THRESHOLD;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.ParameterException;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * QEMU 7.2's {@code migrate_params_check}: the range and consistency rules of migration
 * parameters, applied by {@code migrate-set-parameters} to the current values overlaid with the
 * requested ones.
 *
 * <p>Rules run in QEMU's order and the first broken one is reported. Only members present in the
 * value are checked (QEMU's {@code has_*} flags); a merged value has every member. {@code size}
 * and {@code uint64} members are unsigned, so they are compared unsigned: 2<sup>63</sup> is a
 * huge {@code downtime-limit}, not a negative one.
 *
 * <p>{@code max-bandwidth} has no rule: QEMU refuses only values above {@code SIZE_MAX}, which no
 * 64-bit value exceeds. {@code x-checkpoint-delay} (any uint32), {@code max-postcopy-bandwidth}
 * (any size) and the booleans and strings have none either.
 */
public final class ParameterRules {
    /** QEMU's {@code MAX_MIGRATE_DOWNTIME}: 2000 seconds, in milliseconds. */
    static final long MAX_DOWNTIME_LIMIT_MS = 2_000_000;
    /** The target page size ({@code qemu_target_page_size()} on x86). */
    static final long TARGET_PAGE_SIZE = 4096;
    /** Upper bound of {@code announce-initial} and {@code announce-max}, in milliseconds. */
    static final long MAX_ANNOUNCE_DELAY_MS = 100_000;
    /** Upper bound of {@code announce-rounds}. */
    static final long MAX_ANNOUNCE_ROUNDS = 1000;
    /** Upper bound of {@code announce-step}, in milliseconds. */
    static final long MAX_ANNOUNCE_STEP_MS = 10_000;

    private ParameterRules() {
    }

    /**
     * Checks a parameter set as QEMU's {@code migrate_params_check} does.
     *
     * @param merged the parameters to check: for {@code migrate-set-parameters}, the current
     *     values overlaid with the request
     * @param caps the capabilities on now ({@code zero-copy-send} forbids multifd compression
     *     and TLS; it can only be on on Linux, so the check needs no OS flag)
     * @throws ParameterException with QEMU's message for the first rule broken
     */
    public static void check(MigrationParameters merged, Set<MigrationCapability> caps) {
        atMost(merged.compressLevel(), 9, () -> ParameterException.outOfRange(COMPRESS_LEVEL, 0, 9));
        atLeastOne(merged.compressThreads(), () -> ParameterException.outOfRange(COMPRESS_THREADS, 1, 255));
        atLeastOne(merged.decompressThreads(), () -> ParameterException.outOfRange(DECOMPRESS_THREADS, 1, 255));
        within(merged.throttleTriggerThreshold(), 1, 100,
                () -> ParameterException.outOfIntegerRange(THROTTLE_TRIGGER_THRESHOLD, 1, 100));
        within(merged.cpuThrottleInitial(), 1, 99,
                () -> ParameterException.outOfIntegerRange(CPU_THROTTLE_INITIAL, 1, 99));
        within(merged.cpuThrottleIncrement(), 1, 99,
                () -> ParameterException.outOfIntegerRange(CPU_THROTTLE_INCREMENT, 1, 99));
        atMostUnsigned(merged.downtimeLimit(), MAX_DOWNTIME_LIMIT_MS,
                () -> ParameterException.downtimeLimitOutOfRange(MAX_DOWNTIME_LIMIT_MS));
        atLeastOne(merged.multifdChannels(), () -> ParameterException.outOfRange(MULTIFD_CHANNELS, 1, 255));
        atMost(merged.multifdZlibLevel(), 9, () -> ParameterException.outOfRange(MULTIFD_ZLIB_LEVEL, 0, 9));
        atMost(merged.multifdZstdLevel(), 20, () -> ParameterException.outOfRange(MULTIFD_ZSTD_LEVEL, 0, 20));
        if (merged.xbzrleCacheSize().isPresent()) {
            long size = merged.xbzrleCacheSize().getAsLong();
            if (Long.compareUnsigned(size, TARGET_PAGE_SIZE) < 0 || Long.bitCount(size) != 1) {
                throw ParameterException.xbzrleCacheSizeInvalid();
            }
        }
        if (merged.maxCpuThrottle().isPresent()) {
            int max = merged.maxCpuThrottle().getAsInt();
            // Checked on every set, so raising only cpu-throttle-initial above the current
            // maximum is reported against max_cpu_throttle. An absent initial reads as 0, as
            // QEMU's zero-initialised field does.
            if (max < merged.cpuThrottleInitial().orElse(0) || max > 99) {
                throw ParameterException.maxCpuThrottleOutOfRange();
            }
        }
        atMostUnsigned(merged.announceInitial(), MAX_ANNOUNCE_DELAY_MS,
                () -> ParameterException.outOfRange(ANNOUNCE_INITIAL, 0, MAX_ANNOUNCE_DELAY_MS));
        atMostUnsigned(merged.announceMax(), MAX_ANNOUNCE_DELAY_MS,
                () -> ParameterException.outOfRange(ANNOUNCE_MAX, 0, MAX_ANNOUNCE_DELAY_MS));
        atMostUnsigned(merged.announceRounds(), MAX_ANNOUNCE_ROUNDS,
                () -> ParameterException.outOfRange(ANNOUNCE_ROUNDS, 0, MAX_ANNOUNCE_ROUNDS));
        if (merged.announceStep().isPresent()) {
            long step = merged.announceStep().getAsLong();
            // QEMU refuses 0 although its message names 0 as the lower bound.
            if (step == 0 || Long.compareUnsigned(step, MAX_ANNOUNCE_STEP_MS) > 0) {
                throw ParameterException.outOfRange(ANNOUNCE_STEP, 0, MAX_ANNOUNCE_STEP_MS);
            }
        }
        merged.blockBitmapMapping().ifPresent(BitmapMappingRules::check);
        if (caps.contains(MigrationCapability.ZERO_COPY_SEND)
                && (merged.multifdCompression().orElse(MultiFdCompression.NONE) != MultiFdCompression.NONE
                        || !merged.tlsCreds().orElse("").isEmpty())) {
            throw ParameterException.zeroCopyConflict();
        }
    }

    private static void atMost(OptionalInt value, int max, Supplier<ParameterException> error) {
        if (value.isPresent() && value.getAsInt() > max) {
            throw error.get();
        }
    }

    private static void atLeastOne(OptionalInt value, Supplier<ParameterException> error) {
        if (value.isPresent() && value.getAsInt() < 1) {
            throw error.get();
        }
    }

    private static void within(OptionalInt value, int min, int max,
            Supplier<ParameterException> error) {
        if (value.isPresent() && (value.getAsInt() < min || value.getAsInt() > max)) {
            throw error.get();
        }
    }

    private static void atMostUnsigned(OptionalLong value, long max,
            Supplier<ParameterException> error) {
        if (value.isPresent() && Long.compareUnsigned(value.getAsLong(), max) > 0) {
            throw error.get();
        }
    }
}
