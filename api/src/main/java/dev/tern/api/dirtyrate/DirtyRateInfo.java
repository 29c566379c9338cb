package dev.tern.api.dirtyrate;

import dev.tern.api.Qapi;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Information about current dirty page rate of vm.
 *
 * QAPI struct {@code DirtyRateInfo}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 5.2.
 *
 * @param dirtyRate an estimate of the dirty page rate of the VM in units of MB/s, present only
 * when estimating the rate has completed. (QAPI {@code dirty-rate}, optional)
 * @param status status containing dirtyrate query status includes 'unstarted' or 'measuring' or
 * 'measured' (QAPI {@code status})
 * @param startTime start time in units of second for calculation (QAPI {@code start-time})
 * @param calcTime time in units of second for sample dirty pages (QAPI {@code calc-time})
 * @param samplePages page count per GB for sample dirty pages the default value is 512 (since 6.1)
 * (QAPI {@code sample-pages}, uint64)
 * @param mode mode containing method of calculate dirtyrate includes 'page-sampling' and
 * 'dirty-ring' (Since 6.2) (QAPI {@code mode})
 * @param vcpuDirtyRate dirtyrate for each vcpu if dirty-ring mode specified (Since 6.2) (QAPI
 * {@code vcpu-dirty-rate}, optional)
 */
public record DirtyRateInfo(
        @Qapi(name = "dirty-rate", type = "int64") OptionalLong dirtyRate,
        @Qapi(name = "status", type = "DirtyRateStatus") DirtyRateStatus status,
        @Qapi(name = "start-time", type = "int64") long startTime,
        @Qapi(name = "calc-time", type = "int64") long calcTime,
        @Qapi(name = "sample-pages", type = "uint64") long samplePages,
        @Qapi(name = "mode", type = "DirtyRateMeasureMode") DirtyRateMeasureMode mode,
        @Qapi(name = "vcpu-dirty-rate", type = "[DirtyRateVcpu]") Optional<List<DirtyRateVcpu>> vcpuDirtyRate) {

    /** Checks required members and QAPI integer ranges. */
    public DirtyRateInfo {
        Objects.requireNonNull(dirtyRate, "dirty-rate");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(vcpuDirtyRate, "vcpu-dirty-rate");
        vcpuDirtyRate = vcpuDirtyRate.map(List::copyOf);
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
        b.dirtyRate = dirtyRate;
        b.status = status;
        b.startTime = startTime;
        b.calcTime = calcTime;
        b.samplePages = samplePages;
        b.mode = mode;
        b.vcpuDirtyRate = vcpuDirtyRate;
        return b;
    }

    /** Fluent builder of {@link DirtyRateInfo}. */
    public static final class Builder {
        private OptionalLong dirtyRate = OptionalLong.empty();
        private DirtyRateStatus status;
        private long startTime = 0;
        private long calcTime = 0;
        private long samplePages = 0;
        private DirtyRateMeasureMode mode;
        private Optional<List<DirtyRateVcpu>> vcpuDirtyRate = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code dirty-rate}.
         *
         * @param value an estimate of the dirty page rate of the VM in units of MB/s, present only when estimating the rate has completed.
         * @return this builder
         */
        public Builder dirtyRate(long value) {
            this.dirtyRate = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code status}.
         *
         * @param value status containing dirtyrate query status includes 'unstarted' or 'measuring' or 'measured'
         * @return this builder
         */
        public Builder status(DirtyRateStatus value) {
            this.status = value;
            return this;
        }

        /**
         * Sets {@code start-time}.
         *
         * @param value start time in units of second for calculation
         * @return this builder
         */
        public Builder startTime(long value) {
            this.startTime = value;
            return this;
        }

        /**
         * Sets {@code calc-time}.
         *
         * @param value time in units of second for sample dirty pages
         * @return this builder
         */
        public Builder calcTime(long value) {
            this.calcTime = value;
            return this;
        }

        /**
         * Sets {@code sample-pages}.
         *
         * @param value page count per GB for sample dirty pages the default value is 512 (since 6.1)
         * @return this builder
         */
        public Builder samplePages(long value) {
            this.samplePages = value;
            return this;
        }

        /**
         * Sets {@code mode}.
         *
         * @param value mode containing method of calculate dirtyrate includes 'page-sampling' and 'dirty-ring' (Since 6.2)
         * @return this builder
         */
        public Builder mode(DirtyRateMeasureMode value) {
            this.mode = value;
            return this;
        }

        /**
         * Sets {@code vcpu-dirty-rate}.
         *
         * @param value dirtyrate for each vcpu if dirty-ring mode specified (Since 6.2)
         * @return this builder
         */
        public Builder vcpuDirtyRate(List<DirtyRateVcpu> value) {
            this.vcpuDirtyRate = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public DirtyRateInfo build() {
            return new DirtyRateInfo(dirtyRate, status, startTime, calcTime, samplePages, mode, vcpuDirtyRate);
        }
    }
}
