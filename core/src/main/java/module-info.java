/**
 * Tern's engine: capability and parameter rules, the status state machine, precopy and
 * postcopy, the RAM stream, compression, multifd, dirty rate, COLO, snapshots and statistics.
 * It exports no packages of its own; embedders reach it through
 * {@link dev.tern.api.MigrationControl#create}.
 */
@SuppressWarnings("module") // the qualified export names dev.tern.benchmarks, built after core
module dev.tern.core {
    requires transitive dev.tern.api;
    requires dev.tern.transport;
    requires org.agrona;
    requires com.github.luben.zstd_jni;

    exports dev.tern.core.guest;
    // Only for the JMH benchmarks; the engine reaches XBZRLE from inside the module.
    exports dev.tern.core.xbzrle to dev.tern.benchmarks;

    provides dev.tern.api.spi.MigrationEngineProvider with dev.tern.core.TernEngineProvider;
}
