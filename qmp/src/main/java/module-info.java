/**
 * QEMU's control protocol in front of Tern: a QMP dispatcher and a QMP server on a unix socket,
 * so the clients and scripts that drive QEMU's migration drive Tern.
 *
 * <p>{@link dev.tern.qmp.codec} maps QAPI JSON to the API's records and enums, generically from
 * their {@code @Qapi} annotations; {@link dev.tern.qmp.json} reads and writes JSON text as QEMU
 * does; {@link dev.tern.qmp.QmpDispatcher} runs QMP commands against a
 * {@link dev.tern.api.MigrationControl}; {@link dev.tern.qmp.QmpServer} serves it on a unix
 * socket. The launcher {@code dev.tern.qmp.cli.Main} hosts one VM behind a QMP socket.
 * Only Jackson's tree model and streaming API are used, so no package is opened to Jackson.
 */
module dev.tern.qmp {
    requires transitive dev.tern.api;
    // Not used at compile time: puts the engine (MigrationControl.create's provider) on the graph.
    requires dev.tern.core;
    // The launcher hosts a KVM guest (run --guest kvm, the demo) where /dev/kvm is usable.
    requires dev.tern.kvm;
    requires transitive com.fasterxml.jackson.databind;
    // The demo starts a second JVM with this one's flags (RuntimeMXBean.getInputArguments).
    requires java.management;

    exports dev.tern.qmp;
    exports dev.tern.qmp.codec;
    exports dev.tern.qmp.json;
}
