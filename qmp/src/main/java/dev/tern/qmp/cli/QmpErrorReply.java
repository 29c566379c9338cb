package dev.tern.qmp.cli;

import java.io.IOException;

/** A QMP command answered with an error. */
final class QmpErrorReply extends IOException {
    private static final long serialVersionUID = 1L;

    /** The QMP error class, for example {@code GenericError}. */
    private final String errorClass;

    /**
     * An error reply.
     *
     * @param peer which VM replied
     * @param command the command
     * @param errorClass the reply's {@code class}
     * @param desc the reply's {@code desc}
     */
    QmpErrorReply(String peer, String command, String errorClass, String desc) {
        super(peer + ": " + command + " failed: " + desc + " (" + errorClass + ")");
        this.errorClass = errorClass;
    }

    /**
     * The QMP error class.
     *
     * @return for example {@code GenericError}
     */
    String errorClass() {
        return errorClass;
    }
}
