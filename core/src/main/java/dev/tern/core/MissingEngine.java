package dev.tern.core;

import dev.tern.transport.uri.MigrationUri;

/**
 * The messages of the commands whose engine is not part of this build yet. Each names the
 * missing piece, so a caller knows the command was understood and validated, and what is absent.
 */
final class MissingEngine {
    static final String PRECOPY = "the precopy migration engine (RAM stream and transports) is missing from this "
            + "Tern build, so the migration cannot move the guest";
    static final String INCOMING = "the incoming migration engine (listener and stream loader) is missing from this "
            + "Tern build, so no migration can be received";
    static final String POSTCOPY = "postcopy migration is missing from this Tern build";
    static final String DEVICE_STREAM = "the migration stream writer and loader are missing from this Tern build, "
            + "so device state cannot be saved or loaded";

    private MissingEngine() {
    }

    /**
     * Why an outgoing migration to {@code target} cannot run.
     *
     * @param target the parsed destination
     * @return the message
     */
    static String outgoing(MigrationUri target) {
        return target.unsupportedReason().orElse(PRECOPY);
    }

    /**
     * Why an incoming migration on {@code target} cannot run.
     *
     * @param target the parsed listen address
     * @return the message
     */
    static String incoming(MigrationUri target) {
        return target.unsupportedReason().orElse(INCOMING);
    }
}
