package dev.tern.core;

import dev.tern.api.MigrationCapability;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.MigrationInfo;
import dev.tern.core.stats.DestinationView;
import dev.tern.core.stats.QueryMigrateAssembler;
import dev.tern.core.stats.SourceView;
import java.util.List;
import java.util.Set;

/** Gathers a {@link TernVm}'s state into the views {@link QueryMigrateAssembler} turns into {@code query-migrate}. */
final class QueryMigrate {
    private QueryMigrate() {
    }

    static MigrationInfo assemble(TernVm vm) {
        Set<MigrationCapability> caps = vm.capabilitySnapshot();
        SourceView.Builder src = SourceView.builder(vm.sourceStatus(), vm.counters().snapshot())
                .xbzrle(caps.contains(MigrationCapability.XBZRLE), vm.queryParameters().xbzrleCacheSize().orElse(0))
                .compress(caps.contains(MigrationCapability.COMPRESS))
                // QEMU computes both at query time: remaining from the live dirty bitmap.
                .ramSizes(0, totalRam(vm.guest().ramBlocks(), caps.contains(MigrationCapability.X_IGNORE_SHARED)));
        vm.sourceError().ifPresent(src::errorDesc);
        DestinationView dst = DestinationView.of(vm.destinationStatus(), List.of());
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
