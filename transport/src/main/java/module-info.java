/**
 * Tern's transports: the channels behind every migration URI scheme ({@code tcp:}, {@code unix:},
 * {@code fd:}, {@code exec:}, {@code file:}), TLS, and multi-channel connection setup.
 */
module dev.tern.transport {
    requires transitive dev.tern.api;
}
