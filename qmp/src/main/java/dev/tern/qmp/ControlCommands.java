package dev.tern.qmp;

import dev.tern.api.MigrationControl;
import dev.tern.api.RunState;
import dev.tern.qmp.codec.QapiCodec;
import dev.tern.qmp.command.CommandArguments;
import dev.tern.qmp.command.CommandArguments.FdName;
import dev.tern.qmp.command.CommandArguments.JobId;
import dev.tern.qmp.command.CommandReplies.CommandInfo;
import dev.tern.qmp.command.CommandReplies.StatusInfo;
import dev.tern.qmp.command.QmpCapability;
import dev.tern.qmp.json.QmpJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The commands outside {@code migration.json} that a migration client needs: negotiation and
 * introspection ({@code qmp_capabilities}, {@code query-commands}, {@code query-version}), run
 * control ({@code query-status}, {@code cont}, {@code stop}, optionally {@code quit}), the
 * snapshot jobs ({@code query-jobs}, {@code job-dismiss}) and named descriptors ({@code getfd},
 * {@code closefd}).
 */
final class ControlCommands {
    private ControlCommands() {
    }

    /** The table before negotiation: only {@code qmp_capabilities} exists. */
    static CommandTable negotiation() {
        return CommandTable.builder().add(qmpCapabilities()).build();
    }

    static void register(CommandTable.Builder table, MigrationControl vm, Optional<Runnable> quit) {
        table.add(qmpCapabilities())
                .add(new QmpCommand("query-commands", false, (session, args) -> {
                    QapiCodec.decode(CommandArguments.None.class, args);
                    List<CommandInfo> infos = new ArrayList<>();
                    for (String name : session.dispatcher().commandNames()) {
                        infos.add(new CommandInfo(name));
                    }
                    return QapiCodec.encodeList(infos);
                }))
                .query("query-version", QmpVersion::info)
                .query("query-status", () -> {
                    RunState state = vm.runState();
                    return new StatusInfo(state == RunState.RUNNING, false, state);
                })
                .action("cont", vm::cont)
                .action("stop", vm::stop)
                .query("query-jobs", vm::queryJobs)
                .command("job-dismiss", JobId.class, a -> vm.dismissJob(a.id()))
                // A plain stream carries no SCM_RIGHTS, so no descriptor can ever arrive here.
                .command("getfd", FdName.class, a -> {
                    throw QmpErrors.noFileDescriptor();
                })
                .command("closefd", FdName.class, a -> vm.closeFd(a.fdname()));
        quit.ifPresent(action -> table.action("quit", action));
    }

    private static QmpCommand qmpCapabilities() {
        return new QmpCommand("qmp_capabilities", false, (session, args) -> {
            CommandArguments.QmpCapabilities a = QapiCodec.decode(CommandArguments.QmpCapabilities.class, args);
            if (session.negotiated()) {
                throw QmpErrors.negotiationComplete();
            }
            List<QmpCapability> enable = a.enable().orElse(List.of());
            for (QmpCapability capability : enable) {
                if (!QmpSession.OFFERED.contains(capability)) {
                    throw QmpErrors.capabilityNotAvailable(capability.qapiName());
                }
            }
            session.completeNegotiation(enable.contains(QmpCapability.OOB));
            return QmpJson.object();
        });
    }
}
