package dev.tern.api;

import java.util.Objects;
import java.util.Optional;

/**
 * QAPI struct {@code BitmapMigrationBitmapAliasTransform}. Optional members are {@code Optional},
 * {@code OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never
 * {@code null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long}
 * as unsigned values.
 *
 * Since QEMU 6.0.
 *
 * @param persistent If present, the bitmap will be made persistent or transient depending on this
 * parameter. (QAPI {@code persistent}, optional)
 */
public record BitmapMigrationBitmapAliasTransform(
        @Qapi(name = "persistent", type = "bool") Optional<Boolean> persistent) {

    /** Checks required members and QAPI integer ranges. */
    public BitmapMigrationBitmapAliasTransform {
        Objects.requireNonNull(persistent, "persistent");
    }

    /**
     * Starts a builder with every optional member absent.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a builder holding this record's members.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.persistent = persistent;
        return b;
    }

    /** Fluent builder of {@link BitmapMigrationBitmapAliasTransform}. */
    public static final class Builder {
        private Optional<Boolean> persistent = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code persistent}.
         *
         * @param value If present, the bitmap will be made persistent or transient depending on this parameter.
         * @return this builder
         */
        public Builder persistent(boolean value) {
            this.persistent = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public BitmapMigrationBitmapAliasTransform build() {
            return new BitmapMigrationBitmapAliasTransform(persistent);
        }
    }
}
