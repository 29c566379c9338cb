package dev.tern.core;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationStatus;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.core.incoming.IncomingMigration;
import dev.tern.core.precopy.OutgoingMigration;
import dev.tern.core.ram.RamSaver;
import dev.tern.core.stats.DestinationView;
import dev.tern.core.stats.QueryMigrateAssembler;
import dev.tern.core.stats.SourceView;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Gathers a {@link TernVm}'s state into the views {@link QueryMigrateAssembler} turns into {@code query-migrate}. */
final class QueryMigrate {
    private QueryMigrate() {
    }

    static MigrationInfo assemble(TernVm vm) {
        Set<MigrationCapability> caps = vm.capabilitySnapshot();
        Optional<OutgoingMigration> outgoing = vm.outgoing();
        // QEMU computes both at query time: remaining from the live dirty bitmap.
        long remaining = outgoing.map(m -> m.remainingPages() * RamSaver.PAGE_SIZE).orElse(0L);
        long total = outgoing.map(OutgoingMigration::totalBytes)
                .orElse(totalRam(vm.guest().ramBlocks(), caps.contains(MigrationCapability.X_IGNORE_SHARED)));
        SourceView.Builder src = SourceView.builder(vm.sourceStatus(), vm.counters().snapshot())
                .xbzrle(caps.contains(MigrationCapability.XBZRLE), vm.queryParameters().xbzrleCacheSize().orElse(0))
                .compress(caps.contains(MigrationCapability.COMPRESS))
                .ramSizes(remaining, total);
        Optional<String> error = vm.sourceError();
        if (vm.sourceStatus() == MigrationStatus.NONE && vm.destinationStatus() == MigrationStatus.FAILED) {
            // Tern's addition: QEMU's destination exits on failure; a library reports why instead.
            error = vm.destinationError();
        }
        error.ifPresent(src::errorDesc);
        List<SocketAddress> addresses = vm.incoming().map(IncomingMigration::addresses).orElse(List.of());
        DestinationView dst = DestinationView.of(vm.destinationStatus(), addresses);
        return QueryMigrateAssembler.assemble(src.build(), dst, vm.guest().migrationBlockers());
    }

    /** {@code ram.total}: the used length of every migrated block (shared ones skipped under x-ignore-shared). */
    static long totalRam(List<RamBlock> blocks, boolean ignoreShared) {
        long total = 0;
        for (RamBlock block : blocks) {
            if (!(ignoreShared && block.shared())) {
                total += block.usedLength();
            }
        }
        return total;
    }
}
