package dev.tern.qmp;

import dev.tern.api.MigrateOptions;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.qmp.command.CommandArguments.CalcDirtyRate;
import dev.tern.qmp.command.CommandArguments.CancelVcpuDirtyLimit;
import dev.tern.qmp.command.CommandArguments.ClientMigrateInfo;
import dev.tern.qmp.command.CommandArguments.LoadDevicesState;
import dev.tern.qmp.command.CommandArguments.Migrate;
import dev.tern.qmp.command.CommandArguments.MigrateContinue;
import dev.tern.qmp.command.CommandArguments.SaveDevicesState;
import dev.tern.qmp.command.CommandArguments.SetCapabilities;
import dev.tern.qmp.command.CommandArguments.SetGlobalDirtyLog;
import dev.tern.qmp.command.CommandArguments.SetReplication;
import dev.tern.qmp.command.CommandArguments.SetVcpuDirtyLimit;
import dev.tern.qmp.command.CommandArguments.SnapshotDelete;
import dev.tern.qmp.command.CommandArguments.SnapshotWithState;
import dev.tern.qmp.command.CommandArguments.Uri;

/**
 * The 29 commands of QEMU 7.2's {@code qapi/migration.json}, in schema order, each mapped to
 * its {@link MigrationControl} method. {@code migrate-recover} and {@code migrate-pause} are
 * {@code allow-oob} as in the schema.
 */
final class MigrationCommands {
    private MigrationCommands() {
    }

    static void register(CommandTable.Builder table, MigrationControl vm) {
        table.query("query-migrate", vm::queryMigrate)
                .command("migrate-set-capabilities", SetCapabilities.class,
                        a -> vm.setCapabilities(a.capabilities()))
                .query("query-migrate-capabilities", vm::queryCapabilities)
                // 'boxed': the arguments object is the MigrateSetParameters struct itself
                .command("migrate-set-parameters", MigrateSetParameters.class, vm::setParameters)
                .query("query-migrate-parameters", vm::queryParameters)
                .command("client_migrate_info", ClientMigrateInfo.class,
                        a -> vm.clientMigrateInfo(a.protocol(), a.hostname(), a.port(), a.tlsPort(), a.certSubject()))
                .action("migrate-start-postcopy", vm::startPostcopy)
                .action("x-colo-lost-heartbeat", vm::coloLostHeartbeat)
                .action("migrate_cancel", vm::cancel)
                .command("migrate-continue", MigrateContinue.class, a -> vm.continueMigration(a.state()))
                .command("migrate", Migrate.class,
                        a -> vm.migrate(a.uri(), new MigrateOptions(a.blk(), a.inc(), a.detach(), a.resume())))
                .command("migrate-incoming", Uri.class, a -> vm.migrateIncoming(a.uri()))
                .command("xen-save-devices-state", SaveDevicesState.class,
                        a -> vm.saveDeviceState(a.filename(), a.live()))
                .command("xen-set-global-dirty-log", SetGlobalDirtyLog.class, a -> vm.setGlobalDirtyLog(a.enable()))
                .command("xen-load-devices-state", LoadDevicesState.class, a -> vm.loadDeviceState(a.filename()))
                .command("xen-set-replication", SetReplication.class,
                        a -> vm.setReplication(a.enable(), a.primary(), a.failover()))
                .query("query-xen-replication-status", vm::queryReplicationStatus)
                .action("xen-colo-do-checkpoint", vm::coloCheckpoint)
                .query("query-colo-status", vm::queryColoStatus)
                .command("migrate-recover", true, Uri.class, a -> vm.recover(a.uri()))
                .action("migrate-pause", true, vm::pause)
                .command("calc-dirty-rate", CalcDirtyRate.class,
                        a -> vm.calcDirtyRate(a.calcTime(), a.samplePages(), a.mode()))
                .query("query-dirty-rate", vm::queryDirtyRate)
                .command("set-vcpu-dirty-limit", SetVcpuDirtyLimit.class,
                        a -> vm.setVcpuDirtyLimit(a.cpuIndex(), a.dirtyRate()))
                .command("cancel-vcpu-dirty-limit", CancelVcpuDirtyLimit.class,
                        a -> vm.cancelVcpuDirtyLimit(a.cpuIndex()))
                .query("query-vcpu-dirty-limit", vm::queryVcpuDirtyLimit)
                .command("snapshot-save", SnapshotWithState.class,
                        a -> vm.snapshotSave(a.jobId(), a.tag(), a.vmstate(), a.devices()))
                .command("snapshot-load", SnapshotWithState.class,
                        a -> vm.snapshotLoad(a.jobId(), a.tag(), a.vmstate(), a.devices()))
                .command("snapshot-delete", SnapshotDelete.class,
                        a -> vm.snapshotDelete(a.jobId(), a.tag(), a.devices()));
    }
}
