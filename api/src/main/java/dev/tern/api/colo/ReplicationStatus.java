package dev.tern.api.colo;

import dev.tern.api.Qapi;
import java.util.Objects;
import java.util.Optional;

/**
 * The result format for 'query-xen-replication-status'.
 *
 * QAPI struct {@code ReplicationStatus}, conditional in QAPI on {@code CONFIG_REPLICATION}: Tern is
 * built with replication (COLO needs it). Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 2.9.
 *
 * @param error true if an error happened, false if replication is normal. (QAPI {@code error})
 * @param desc the human readable error description string, when {@code error} is 'true'. (QAPI
 * {@code desc}, optional)
 */
public record ReplicationStatus(
        @Qapi(name = "error", type = "bool") boolean error,
        @Qapi(name = "desc", type = "str") Optional<String> desc) {

    /** Checks required members and QAPI integer ranges. */
    public ReplicationStatus {
        Objects.requireNonNull(desc, "desc");
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
        b.error = error;
        b.desc = desc;
        return b;
    }

    /** Fluent builder of {@link ReplicationStatus}. */
    public static final class Builder {
        private boolean error = false;
        private Optional<String> desc = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code error}.
         *
         * @param value true if an error happened, false if replication is normal.
         * @return this builder
         */
        public Builder error(boolean value) {
            this.error = value;
            return this;
        }

        /**
         * Sets {@code desc}.
         *
         * @param value the human readable error description string, when {@code error} is 'true'.
         * @return this builder
         */
        public Builder desc(String value) {
            this.desc = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public ReplicationStatus build() {
            return new ReplicationStatus(error, desc);
        }
    }
}
