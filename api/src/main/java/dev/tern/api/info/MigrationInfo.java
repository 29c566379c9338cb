package dev.tern.api.info;

import dev.tern.api.MigrationStatus;
import dev.tern.api.Qapi;
import dev.tern.api.QapiRange;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Information about current migration process.
 *
 * QAPI struct {@code MigrationInfo}. Optional members are {@code Optional}, {@code OptionalLong},
 * {@code OptionalInt} or {@code OptionalDouble} components and are never {@code null}; {@code
 * size}, {@code uint64} and {@code uint32} members are held in a {@code long} as unsigned values.
 *
 * Since QEMU 0.14.
 *
 * @param status {@code MigrationStatus} describing the current migration status. If this field is
 * not returned, no migration process has been initiated (QAPI {@code status}, optional)
 * @param ram {@code MigrationStats} containing detailed migration status, only returned if status
 * is 'active' or 'completed'(since 1.2) (QAPI {@code ram}, optional)
 * @param disk {@code MigrationStats} containing detailed disk migration status, only returned if
 * status is 'active' and it is a block migration (QAPI {@code disk}, optional)
 * @param vfio {@code VfioStats} containing detailed VFIO devices migration statistics, only
 * returned if VFIO device is present, migration is supported by all VFIO devices and status is
 * 'active' or 'completed' (since 5.2) (QAPI {@code vfio}, optional)
 * @param xbzrleCache {@code XBZRLECacheStats} containing detailed XBZRLE migration statistics,
 * only returned if XBZRLE feature is on and status is 'active' or 'completed' (since 1.2) (QAPI
 * {@code xbzrle-cache}, optional)
 * @param totalTime total amount of milliseconds since migration started. If migration has ended,
 * it returns the total migration time. (since 1.2) (QAPI {@code total-time}, optional)
 * @param expectedDowntime only present while migration is active expected downtime in milliseconds
 * for the guest in last walk of the dirty bitmap. (since 1.3) (QAPI {@code expected-downtime},
 * optional)
 * @param downtime only present when migration finishes correctly total downtime in milliseconds
 * for the guest. (since 1.3) (QAPI {@code downtime}, optional)
 * @param setupTime amount of setup time in milliseconds *before* the iterations begin but *after*
 * the QMP command is issued. This is designed to provide an accounting of any activities (such as
 * RDMA pinning) which may be expensive, but do not actually occur during the iterative migration
 * rounds themselves. (since 1.6) (QAPI {@code setup-time}, optional)
 * @param cpuThrottlePercentage percentage of time guest cpus are being throttled during
 * auto-converge. This is only present when auto-converge has started throttling guest cpus. (Since
 * 2.7) (QAPI {@code cpu-throttle-percentage}, optional)
 * @param errorDesc the human readable error description string, when {@code status} is 'failed'.
 * Clients should not attempt to parse the error strings. (Since 2.7) (QAPI {@code error-desc},
 * optional)
 * @param blockedReasons A list of reasons an outgoing migration is blocked. Present and non-empty
 * when migration is blocked. (since 6.0) (QAPI {@code blocked-reasons}, optional)
 * @param postcopyBlocktime total time when all vCPU were blocked during postcopy live migration.
 * This is only present when the postcopy-blocktime migration capability is enabled. (Since 3.0)
 * (QAPI {@code postcopy-blocktime}, uint32, optional)
 * @param postcopyVcpuBlocktime list of the postcopy blocktime per vCPU. This is only present when
 * the postcopy-blocktime migration capability is enabled. (Since 3.0) (QAPI {@code
 * postcopy-vcpu-blocktime}, optional)
 * @param compression migration compression statistics, only returned if compression feature is on
 * and status is 'active' or 'completed' (Since 3.1) (QAPI {@code compression}, optional)
 * @param socketAddress Only used for tcp, to know what the real port is (Since 4.0) (QAPI {@code
 * socket-address}, optional)
 */
public record MigrationInfo(
        @Qapi(name = "status", type = "MigrationStatus") Optional<MigrationStatus> status,
        @Qapi(name = "ram", type = "MigrationStats") Optional<MigrationStats> ram,
        @Qapi(name = "disk", type = "MigrationStats") Optional<MigrationStats> disk,
        @Qapi(name = "vfio", type = "VfioStats") Optional<VfioStats> vfio,
        @Qapi(name = "xbzrle-cache", type = "XBZRLECacheStats") Optional<XbzrleCacheStats> xbzrleCache,
        @Qapi(name = "total-time", type = "int64") OptionalLong totalTime,
        @Qapi(name = "expected-downtime", type = "int64") OptionalLong expectedDowntime,
        @Qapi(name = "downtime", type = "int64") OptionalLong downtime,
        @Qapi(name = "setup-time", type = "int64") OptionalLong setupTime,
        @Qapi(name = "cpu-throttle-percentage", type = "int64") OptionalLong cpuThrottlePercentage,
        @Qapi(name = "error-desc", type = "str") Optional<String> errorDesc,
        @Qapi(name = "blocked-reasons", type = "[str]") Optional<List<String>> blockedReasons,
        @Qapi(name = "postcopy-blocktime", type = "uint32") OptionalLong postcopyBlocktime,
        @Qapi(name = "postcopy-vcpu-blocktime", type = "[uint32]") Optional<List<Long>> postcopyVcpuBlocktime,
        @Qapi(name = "compression", type = "CompressionStats") Optional<CompressionStats> compression,
        @Qapi(name = "socket-address", type = "[SocketAddress]") Optional<List<SocketAddress>> socketAddress) {

    /** Checks required members and QAPI integer ranges. */
    public MigrationInfo {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ram, "ram");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(vfio, "vfio");
        Objects.requireNonNull(xbzrleCache, "xbzrle-cache");
        Objects.requireNonNull(totalTime, "total-time");
        Objects.requireNonNull(expectedDowntime, "expected-downtime");
        Objects.requireNonNull(downtime, "downtime");
        Objects.requireNonNull(setupTime, "setup-time");
        Objects.requireNonNull(cpuThrottlePercentage, "cpu-throttle-percentage");
        Objects.requireNonNull(errorDesc, "error-desc");
        Objects.requireNonNull(blockedReasons, "blocked-reasons");
        blockedReasons = blockedReasons.map(List::copyOf);
        Objects.requireNonNull(postcopyBlocktime, "postcopy-blocktime");
        postcopyBlocktime.ifPresent(v -> QapiRange.uint32("postcopy-blocktime", v));
        Objects.requireNonNull(postcopyVcpuBlocktime, "postcopy-vcpu-blocktime");
        postcopyVcpuBlocktime = postcopyVcpuBlocktime.map(List::copyOf);
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(socketAddress, "socket-address");
        socketAddress = socketAddress.map(List::copyOf);
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
        b.status = status;
        b.ram = ram;
        b.disk = disk;
        b.vfio = vfio;
        b.xbzrleCache = xbzrleCache;
        b.totalTime = totalTime;
        b.expectedDowntime = expectedDowntime;
        b.downtime = downtime;
        b.setupTime = setupTime;
        b.cpuThrottlePercentage = cpuThrottlePercentage;
        b.errorDesc = errorDesc;
        b.blockedReasons = blockedReasons;
        b.postcopyBlocktime = postcopyBlocktime;
        b.postcopyVcpuBlocktime = postcopyVcpuBlocktime;
        b.compression = compression;
        b.socketAddress = socketAddress;
        return b;
    }

    /** Fluent builder of {@link MigrationInfo}. */
    public static final class Builder {
        private Optional<MigrationStatus> status = Optional.empty();
        private Optional<MigrationStats> ram = Optional.empty();
        private Optional<MigrationStats> disk = Optional.empty();
        private Optional<VfioStats> vfio = Optional.empty();
        private Optional<XbzrleCacheStats> xbzrleCache = Optional.empty();
        private OptionalLong totalTime = OptionalLong.empty();
        private OptionalLong expectedDowntime = OptionalLong.empty();
        private OptionalLong downtime = OptionalLong.empty();
        private OptionalLong setupTime = OptionalLong.empty();
        private OptionalLong cpuThrottlePercentage = OptionalLong.empty();
        private Optional<String> errorDesc = Optional.empty();
        private Optional<List<String>> blockedReasons = Optional.empty();
        private OptionalLong postcopyBlocktime = OptionalLong.empty();
        private Optional<List<Long>> postcopyVcpuBlocktime = Optional.empty();
        private Optional<CompressionStats> compression = Optional.empty();
        private Optional<List<SocketAddress>> socketAddress = Optional.empty();

        private Builder() {
        }

        /**
         * Sets {@code status}.
         *
         * @param value {@code MigrationStatus} describing the current migration status. If this field is not returned, no migration process has been initiated
         * @return this builder
         */
        public Builder status(MigrationStatus value) {
            this.status = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code ram}.
         *
         * @param value {@code MigrationStats} containing detailed migration status, only returned if status is 'active' or 'completed'(since 1.2)
         * @return this builder
         */
        public Builder ram(MigrationStats value) {
            this.ram = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code disk}.
         *
         * @param value {@code MigrationStats} containing detailed disk migration status, only returned if status is 'active' and it is a block migration
         * @return this builder
         */
        public Builder disk(MigrationStats value) {
            this.disk = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code vfio}.
         *
         * @param value {@code VfioStats} containing detailed VFIO devices migration statistics, only returned if VFIO device is present, migration is supported by all VFIO devices and status is 'active' or 'completed' (since 5.2)
         * @return this builder
         */
        public Builder vfio(VfioStats value) {
            this.vfio = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code xbzrle-cache}.
         *
         * @param value {@code XBZRLECacheStats} containing detailed XBZRLE migration statistics, only returned if XBZRLE feature is on and status is 'active' or 'completed' (since 1.2)
         * @return this builder
         */
        public Builder xbzrleCache(XbzrleCacheStats value) {
            this.xbzrleCache = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code total-time}.
         *
         * @param value total amount of milliseconds since migration started. If migration has ended, it returns the total migration time. (since 1.2)
         * @return this builder
         */
        public Builder totalTime(long value) {
            this.totalTime = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code expected-downtime}.
         *
         * @param value only present while migration is active expected downtime in milliseconds for the guest in last walk of the dirty bitmap. (since 1.3)
         * @return this builder
         */
        public Builder expectedDowntime(long value) {
            this.expectedDowntime = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code downtime}.
         *
         * @param value only present when migration finishes correctly total downtime in milliseconds for the guest. (since 1.3)
         * @return this builder
         */
        public Builder downtime(long value) {
            this.downtime = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code setup-time}.
         *
         * @param value amount of setup time in milliseconds *before* the iterations begin but *after* the QMP command is issued. This is designed to provide an accounting of any activities (such as RDMA pinning) which may be expensive, but do not actually occur during the iterative migration rounds themselves. (since 1.6)
         * @return this builder
         */
        public Builder setupTime(long value) {
            this.setupTime = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code cpu-throttle-percentage}.
         *
         * @param value percentage of time guest cpus are being throttled during auto-converge. This is only present when auto-converge has started throttling guest cpus. (Since 2.7)
         * @return this builder
         */
        public Builder cpuThrottlePercentage(long value) {
            this.cpuThrottlePercentage = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code error-desc}.
         *
         * @param value the human readable error description string, when {@code status} is 'failed'. Clients should not attempt to parse the error strings. (Since 2.7)
         * @return this builder
         */
        public Builder errorDesc(String value) {
            this.errorDesc = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code blocked-reasons}.
         *
         * @param value A list of reasons an outgoing migration is blocked. Present and non-empty when migration is blocked. (since 6.0)
         * @return this builder
         */
        public Builder blockedReasons(List<String> value) {
            this.blockedReasons = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code postcopy-blocktime}.
         *
         * @param value total time when all vCPU were blocked during postcopy live migration. This is only present when the postcopy-blocktime migration capability is enabled. (Since 3.0)
         * @return this builder
         */
        public Builder postcopyBlocktime(long value) {
            this.postcopyBlocktime = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code postcopy-vcpu-blocktime}.
         *
         * @param value list of the postcopy blocktime per vCPU. This is only present when the postcopy-blocktime migration capability is enabled. (Since 3.0)
         * @return this builder
         */
        public Builder postcopyVcpuBlocktime(List<Long> value) {
            this.postcopyVcpuBlocktime = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code compression}.
         *
         * @param value migration compression statistics, only returned if compression feature is on and status is 'active' or 'completed' (Since 3.1)
         * @return this builder
         */
        public Builder compression(CompressionStats value) {
            this.compression = Optional.of(value);
            return this;
        }

        /**
         * Sets {@code socket-address}.
         *
         * @param value Only used for tcp, to know what the real port is (Since 4.0)
         * @return this builder
         */
        public Builder socketAddress(List<SocketAddress> value) {
            this.socketAddress = Optional.of(value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public MigrationInfo build() {
            return new MigrationInfo(status, ram, disk, vfio, xbzrleCache, totalTime, expectedDowntime, downtime, setupTime, cpuThrottlePercentage, errorDesc, blockedReasons, postcopyBlocktime, postcopyVcpuBlocktime, compression, socketAddress);
        }
    }
}
