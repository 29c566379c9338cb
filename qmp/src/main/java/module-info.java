/**
 * QEMU's control protocol in front of Tern: a QMP dispatcher and a QMP server on a unix socket,
 * so the clients and scripts that drive QEMU's migration drive Tern.
 */
module dev.tern.qmp {
    requires transitive dev.tern.api;
    requires dev.tern.core;
    requires com.fasterxml.jackson.databind;
}
