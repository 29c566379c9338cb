/**
 * Tern's public surface: every type, command and event of QEMU's {@code migration.json} in
 * Java, the per-VM {@link dev.tern.api.MigrationControl}, the fluent
 * {@link dev.tern.api.MigrationSession}, and the guest SPI a VMM implements. Depends on nothing.
 */
module dev.tern.api {
    exports dev.tern.api;
    exports dev.tern.api.colo;
    exports dev.tern.api.dirtyrate;
    exports dev.tern.api.event;
    exports dev.tern.api.guest;
    exports dev.tern.api.info;
    exports dev.tern.api.job;
    exports dev.tern.api.spi;

    uses dev.tern.api.spi.MigrationEngineProvider;
}
