package dev.tern.qmp;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;

/**
 * The errors of the QMP layer itself, with QEMU 7.2's texts ({@code qapi/qmp-dispatch.c},
 * {@code monitor/qmp.c}, {@code monitor/qmp-cmds-control.c}, {@code monitor/misc.c},
 * {@code qobject/json-parser.c}).
 */
final class QmpErrors {
    private QmpErrors() {
    }

    static MigrationException notAnObject() {
        return MigrationException.generic("QMP input must be a JSON object");
    }

    static MigrationException lacksExecute() {
        return MigrationException.generic("QMP input lacks member 'execute'");
    }

    static MigrationException mustBeString(String member) {
        return MigrationException.generic("QMP input member '" + member + "' must be a string");
    }

    static MigrationException argumentsMustBeObject() {
        return MigrationException.generic("QMP input member 'arguments' must be an object");
    }

    static MigrationException unexpectedMember(String member) {
        return MigrationException.generic("QMP input member '" + member + "' is unexpected");
    }

    static MigrationException clash(String member, String earlier) {
        return MigrationException.generic("QMP input member '" + member + "' clashes with '" + earlier + "'");
    }

    static MigrationException commandNotFound(String command) {
        return new MigrationException(ErrorClass.COMMAND_NOT_FOUND, "The command " + command + " has not been found");
    }

    static MigrationException noOutOfBand(String command) {
        return MigrationException.generic("The command " + command + " does not support OOB");
    }

    /** What every command but {@code qmp_capabilities} gets before negotiation. */
    static final String EXPECTING_NEGOTIATION = "Expecting capabilities negotiation with 'qmp_capabilities'";

    static MigrationException negotiationComplete() {
        return new MigrationException(ErrorClass.COMMAND_NOT_FOUND,
                "Capabilities negotiation is already complete, command ignored");
    }

    static MigrationException capabilityNotAvailable(String capability) {
        return MigrationException.generic("Capability '" + capability + "' not available");
    }

    static MigrationException noFileDescriptor() {
        return MigrationException.generic("No file descriptor supplied via SCM_RIGHTS");
    }

    static MigrationException parseError(String detail) {
        return MigrationException.generic("JSON parse error, " + detail);
    }
}
