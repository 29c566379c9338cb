package dev.tern.core.stats;

import dev.tern.api.MigrationStatus;
import dev.tern.api.info.VfioStats;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link QueryMigrateAssembler} needs from the outgoing side at query time. Which members
 * end up in the reply depends on {@code status} (spec §1.6), not on what is supplied here.
 *
 * @param status the source status
 * @param counters the live counters, read now
 * @param xbzrleOn whether the {@code xbzrle} capability is on ({@code xbzrle-cache} is reported)
 * @param compressOn whether the {@code compress} capability is on ({@code compression} is reported)
 * @param errorDesc the recorded error's text, reported as {@code error-desc} in {@code failed} only
 * @param xbzrleCacheSize the {@code xbzrle-cache-size} parameter, reported as {@code cache-size}
 * @param remainingBytes dirty bits × page size now ({@code ram.remaining}; reported as 0 in {@code completed})
 * @param totalBytes the migrated RAM blocks' used lengths ({@code ram.total})
 * @param disk block migration progress while block migration is active
 * @param vfio VFIO migration statistics while VFIO devices are migrating
 */
public record SourceView(
        MigrationStatus status,
        CountersSnapshot counters,
        boolean xbzrleOn,
        boolean compressOn,
        Optional<String> errorDesc,
        long xbzrleCacheSize,
        long remainingBytes,
        long totalBytes,
        Optional<DiskProgress> disk,
        Optional<VfioStats> vfio) {

    /** Checks that no member is null. */
    public SourceView {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(errorDesc, "errorDesc");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(vfio, "vfio");
    }

    /**
     * Starts a builder with both capabilities off, no error, no disk, no VFIO and zero sizes.
     *
     * @param status the source status
     * @param counters the live counters, read now
     * @return a new builder
     */
    public static Builder builder(MigrationStatus status, CountersSnapshot counters) {
        return new Builder(status, counters);
    }

    /** Fluent builder of {@link SourceView}. */
    public static final class Builder {
        private final MigrationStatus status;
        private final CountersSnapshot counters;
        private boolean xbzrleOn;
        private boolean compressOn;
        private Optional<String> errorDesc = Optional.empty();
        private long xbzrleCacheSize;
        private long remainingBytes;
        private long totalBytes;
        private Optional<DiskProgress> disk = Optional.empty();
        private Optional<VfioStats> vfio = Optional.empty();

        private Builder(MigrationStatus status, CountersSnapshot counters) {
            this.status = status;
            this.counters = counters;
        }

        /**
         * Sets whether the {@code xbzrle} capability is on, and the {@code xbzrle-cache-size}.
         *
         * @param on the capability
         * @param cacheSize the parameter
         * @return this builder
         */
        public Builder xbzrle(boolean on, long cacheSize) {
            this.xbzrleOn = on;
            this.xbzrleCacheSize = cacheSize;
            return this;
        }

        /**
         * Sets whether the {@code compress} capability is on.
         *
         * @param on the capability
         * @return this builder
         */
        public Builder compress(boolean on) {
            this.compressOn = on;
            return this;
        }

        /**
         * Sets the recorded error's text.
         *
         * @param desc the text
         * @return this builder
         */
        public Builder errorDesc(String desc) {
            this.errorDesc = Optional.of(desc);
            return this;
        }

        /**
         * Sets {@code ram.remaining} and {@code ram.total} as computed now.
         *
         * @param remaining dirty bytes
         * @param total migrated RAM bytes
         * @return this builder
         */
        public Builder ramSizes(long remaining, long total) {
            this.remainingBytes = remaining;
            this.totalBytes = total;
            return this;
        }

        /**
         * Sets the block migration progress (block migration active).
         *
         * @param progress the progress
         * @return this builder
         */
        public Builder disk(DiskProgress progress) {
            this.disk = Optional.of(progress);
            return this;
        }

        /**
         * Sets the VFIO statistics (VFIO devices migrating).
         *
         * @param stats the statistics
         * @return this builder
         */
        public Builder vfio(VfioStats stats) {
            this.vfio = Optional.of(stats);
            return this;
        }

        /**
         * Builds the view.
         *
         * @return the view
         */
        public SourceView build() {
            return new SourceView(status, counters, xbzrleOn, compressOn, errorDesc, xbzrleCacheSize,
                    remainingBytes, totalBytes, disk, vfio);
        }
    }
}
