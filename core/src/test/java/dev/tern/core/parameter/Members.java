package dev.tern.core.parameter;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationParameters;
import dev.tern.api.Qapi;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Reads and writes the integer members of the parameter records by QAPI name, for table-driven tests. */
final class Members {
    private Members() {
    }

    /** A request that sets one integer member. */
    static MigrateSetParameters set(String qapiName, long value) {
        return set(MigrateSetParameters.builder(), qapiName, value).build();
    }

    static MigrateSetParameters.Builder set(MigrateSetParameters.Builder b, String qapiName, long value) {
        return switch (qapiName) {
            case "announce-initial" -> b.announceInitial(value);
            case "announce-max" -> b.announceMax(value);
            case "announce-rounds" -> b.announceRounds(value);
            case "announce-step" -> b.announceStep(value);
            case "compress-level" -> b.compressLevel((int) value);
            case "compress-threads" -> b.compressThreads((int) value);
            case "decompress-threads" -> b.decompressThreads((int) value);
            case "throttle-trigger-threshold" -> b.throttleTriggerThreshold((int) value);
            case "cpu-throttle-initial" -> b.cpuThrottleInitial((int) value);
            case "cpu-throttle-increment" -> b.cpuThrottleIncrement((int) value);
            case "max-bandwidth" -> b.maxBandwidth(value);
            case "downtime-limit" -> b.downtimeLimit(value);
            case "x-checkpoint-delay" -> b.xCheckpointDelay(value);
            case "multifd-channels" -> b.multifdChannels((int) value);
            case "xbzrle-cache-size" -> b.xbzrleCacheSize(value);
            case "max-postcopy-bandwidth" -> b.maxPostcopyBandwidth(value);
            case "max-cpu-throttle" -> b.maxCpuThrottle((int) value);
            case "multifd-zlib-level" -> b.multifdZlibLevel((int) value);
            case "multifd-zstd-level" -> b.multifdZstdLevel((int) value);
            default -> throw new IllegalArgumentException("not an integer member: " + qapiName);
        };
    }

    /** The value of a member, unwrapped to a boxed value or {@code Optional.empty()} if absent. */
    static Optional<Object> get(MigrationParameters params, String qapiName) {
        for (RecordComponent rc : MigrationParameters.class.getRecordComponents()) {
            if (rc.getAnnotation(Qapi.class).name().equals(qapiName)) {
                return unwrap(read(rc, params));
            }
        }
        throw new IllegalArgumentException("no member " + qapiName);
    }

    /** The integer value of a member that must be present. */
    static long getLong(MigrationParameters params, String qapiName) {
        Object v = get(params, qapiName).orElseThrow();
        return ((Number) v).longValue();
    }

    static Object read(RecordComponent rc, Object record) {
        try {
            return rc.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError(e);
        }
    }

    static Optional<Object> unwrap(Object value) {
        return switch (value) {
            case OptionalLong l -> l.isPresent() ? Optional.of(l.getAsLong()) : Optional.empty();
            case OptionalInt i -> i.isPresent() ? Optional.of((long) i.getAsInt()) : Optional.empty();
            case Optional<?> o -> o.map(Object.class::cast);
            default -> throw new IllegalArgumentException("not an optional: " + value);
        };
    }
}
