package dev.tern.core.stats;

import dev.tern.api.MigrationStatus;
import dev.tern.api.info.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link QueryMigrateAssembler} needs from the incoming side (spec §1.6). The destination
 * reports no statistics.
 *
 * @param status the destination status
 * @param socketAddresses the addresses the incoming socket listener is bound to (real port for
 *     tcp port 0); empty when there is no socket listener
 * @param postcopyBlocktime the total postcopy blocktime in ms, present iff the blocktime context
 *     exists ({@code postcopy-blocktime} on at the destination and supported by the host)
 * @param postcopyVcpuBlocktime the per-vCPU blocktimes; must be empty when
 *     {@code postcopyBlocktime} is absent
 */
public record DestinationView(
        MigrationStatus status,
        List<SocketAddress> socketAddresses,
        OptionalLong postcopyBlocktime,
        List<Long> postcopyVcpuBlocktime) {

    /**
     * Checks and copies the members.
     *
     * @throws IllegalArgumentException if per-vCPU blocktimes are given without a total
     */
    public DestinationView {
        Objects.requireNonNull(status, "status");
        socketAddresses = List.copyOf(socketAddresses);
        Objects.requireNonNull(postcopyBlocktime, "postcopyBlocktime");
        postcopyVcpuBlocktime = List.copyOf(postcopyVcpuBlocktime);
        if (postcopyBlocktime.isEmpty() && !postcopyVcpuBlocktime.isEmpty()) {
            throw new IllegalArgumentException("per-vCPU postcopy blocktimes need the blocktime context (a total)");
        }
    }

    /**
     * A process that is not a migration destination: status {@code none}, no listener.
     *
     * @return the view
     */
    public static DestinationView none() {
        return new DestinationView(MigrationStatus.NONE, List.of(), OptionalLong.empty(), List.of());
    }

    /**
     * A destination without a blocktime context.
     *
     * @param status the destination status
     * @param socketAddresses the listener's addresses, empty if none
     * @return the view
     */
    public static DestinationView of(MigrationStatus status, List<SocketAddress> socketAddresses) {
        return new DestinationView(status, socketAddresses, OptionalLong.empty(), List.of());
    }
}
