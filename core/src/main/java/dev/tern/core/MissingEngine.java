package dev.tern.core;

/**
 * The messages of the commands whose engine is not part of this build yet. Each names the
 * missing piece, so a caller knows the command was understood and validated, and what is absent.
 */
final class MissingEngine {
    static final String POSTCOPY = "postcopy migration is missing from this Tern build";
    static final String DEVICE_STREAM = "saving and loading device state outside a migration is missing from this "
            + "Tern build";

    private MissingEngine() {
    }
}
