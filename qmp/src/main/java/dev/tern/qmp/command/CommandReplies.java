package dev.tern.qmp.command;

import dev.tern.api.Qapi;
import dev.tern.api.RunState;

/**
 * The return types of the non-migration commands Tern serves, as records the generic codec
 * writes like any QAPI struct.
 */
public final class CommandReplies {
    private CommandReplies() {
    }

    /**
     * QAPI {@code StatusInfo}, returned by {@code query-status}.
     *
     * @param running whether the guest runs (run state {@code running})
     * @param singlestep always false: Tern has no single-step mode
     * @param status the run state
     */
    public record StatusInfo(
            @Qapi(name = "running", type = "bool") boolean running,
            @Qapi(name = "singlestep", type = "bool") boolean singlestep,
            @Qapi(name = "status", type = "RunState") RunState status) {
    }

    /**
     * QAPI {@code VersionTriple}.
     *
     * @param major major version
     * @param minor minor version
     * @param micro micro version
     */
    public record VersionTriple(
            @Qapi(name = "major", type = "int") long major,
            @Qapi(name = "minor", type = "int") long minor,
            @Qapi(name = "micro", type = "int") long micro) {
    }

    /**
     * QAPI {@code VersionInfo}, returned by {@code query-version} and sent in the greeting.
     *
     * @param qemu the QEMU version whose behaviour Tern reproduces
     * @param packageName {@code tern-} and Tern's version
     */
    public record VersionInfo(
            @Qapi(name = "qemu", type = "VersionTriple") VersionTriple qemu,
            @Qapi(name = "package", type = "str") String packageName) {
    }

    /**
     * QAPI {@code CommandInfo}, an element of {@code query-commands}' reply.
     *
     * @param name the command name
     */
    public record CommandInfo(@Qapi(name = "name", type = "str") String name) {
    }
}
