package dev.tern.api;

import java.util.Objects;
import java.util.Optional;

/**
 * QAPI struct {@code BitmapMigrationBitmapAlias}. Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 5.2.
 *
 * @param name The name of the bitmap. (QAPI {@code name})
 * @param alias An alias name for migration (for example the bitmap name on the opposite site).
 * (QAPI {@code alias})
 * @param transform Allows the modification of the migrated bitmap. (since 6.0) (QAPI {@code
 * transform}, optional)
 */
public record BitmapMigrationBitmapAlias(
        @Qapi(name = "name", type = "str") String name,
        @Qapi(name = "alias", type = "str") String alias,
        @Qapi(name = "transform", type = "BitmapMigrationBitmapAliasTransform") Optional<BitmapMigrationBitmapAliasTransform> transform) {

    /** Checks required members and QAPI integer ranges. */
    public BitmapMigrationBitmapAlias {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(transform, "transform");
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
        b.name = name;
        b.alias = alias;
        b.transform = transform;
        return b;
    }

    /** Fluent builder of {@link BitmapMigrationBitmapAlias}. */
    public static final class Builder {
        private String name;
        private String alias;
        private Optional<BitmapMigrationBitmapAliasTransform> transform = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code name}.
         *
         * @param value The name of the bitmap.
         * @return this builder
         */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /**
         * Sets {@code alias}.
         *
         * @param value An alias name for migration (for example the bitmap name on the opposite site).
         * @return this builder
         */
        public Builder alias(String value) {
            this.alias = value;
            return this;
        }

        /**
         * Sets {@code transform}.
         *
         * @param value Allows the modification of the migrated bitmap. (since 6.0)
         * @return this builder
         */
        public Builder transform(BitmapMigrationBitmapAliasTransform value) {
            this.transform = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public BitmapMigrationBitmapAlias build() {
            return new BitmapMigrationBitmapAlias(name, alias, transform);
        }
    }
}
