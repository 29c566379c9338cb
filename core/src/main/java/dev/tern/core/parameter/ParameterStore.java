package dev.tern.core.parameter;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationParameters;
import dev.tern.api.ParameterException;
import java.util.Objects;
import java.util.Set;

/**
 * The current migration parameters of one VM: what {@code query-migrate-parameters} returns and
 * what {@code migrate-set-parameters} changes. Thread-safe: readers see either the old or the new
 * value, never a mix, and concurrent sets are serialised so each validates against the value it
 * replaces.
 *
 * <p>Parameters may be set at any time, also while a migration runs (QEMU has no "running" check
 * here); the engine reads {@link #current()} whenever it needs a value.
 */
public final class ParameterStore {
    private final Object setLock = new Object();
    private volatile MigrationParameters current = ParameterDefaults.DEFAULTS;

    /** Creates a store holding {@link ParameterDefaults#DEFAULTS}. */
    public ParameterStore() {
    }

    /**
     * QAPI {@code query-migrate-parameters}: the current values. Every member is present except
     * {@code block-bitmap-mapping}, which is present only once it has been set.
     *
     * @return the current parameters
     */
    public MigrationParameters current() {
        return current;
    }

    /**
     * QAPI {@code migrate-set-parameters}: overlays the request on the current values, validates
     * the result as a whole ({@link ParameterRules#check}) and stores it. All or nothing: on
     * failure the current values are unchanged.
     *
     * @param request the members to change; {@code tls-*} {@code null} must already be {@code ""}
     * @param caps the capabilities on now ({@code zero-copy-send} restricts the parameters)
     * @return the new current parameters
     * @throws ParameterException if the merged values break a rule
     */
    public MigrationParameters apply(MigrateSetParameters request, Set<MigrationCapability> caps) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(caps, "caps");
        synchronized (setLock) {
            MigrationParameters merged = ParameterOverlay.overlay(current, request);
            ParameterRules.check(merged, caps);
            current = merged;
            return merged;
        }
    }
}
