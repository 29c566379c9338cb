/**
 * Tern's engine: capability and parameter rules, the status state machine, precopy migration,
 * the RAM stream, multifd with zlib and zstd, XBZRLE, legacy compression, dirty rate, dirty
 * limits, snapshot jobs and statistics. Embedders reach it through
 * {@link dev.tern.api.MigrationControl#create}; the only package it exports to everyone is
 * {@code dev.tern.core.guest}, the reference guest that tests, demos and harnesses migrate; the
 * qualified exports serve the JMH benchmarks only.
 */
@SuppressWarnings("module") // the qualified export names dev.tern.benchmarks, built after core
module dev.tern.core {
    requires transitive dev.tern.api;
    requires dev.tern.transport;
    requires org.agrona;
    requires com.github.luben.zstd_jni;

    exports dev.tern.core.guest;
    // Only for the JMH benchmarks; the engine reaches XBZRLE and the multifd codecs from inside the module.
    exports dev.tern.core.xbzrle to dev.tern.benchmarks;
    exports dev.tern.core.multifd.codec to dev.tern.benchmarks;
    exports dev.tern.core.stream to dev.tern.benchmarks;

    provides dev.tern.api.spi.MigrationEngineProvider with dev.tern.core.TernEngineProvider;
}
