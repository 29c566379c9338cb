/**
 * Tern's transports: the channels behind every migration URI scheme ({@code tcp:}, {@code unix:},
 * {@code fd:}, {@code exec:}, {@code file:}), TLS, and multi-channel connection setup.
 *
 * <p>{@link dev.tern.transport.uri} parses the URIs themselves, with QEMU's error texts.
 */
module dev.tern.transport {
    requires transitive dev.tern.api;

    exports dev.tern.transport;
    exports dev.tern.transport.uri;
}
