/** JMH micro-benchmarks and the end-to-end migration harness. */
module dev.tern.benchmarks {
    requires dev.tern.api;
    requires dev.tern.transport;
    requires dev.tern.core;
    requires dev.tern.kvm;
    requires dev.tern.qmp;
    requires jmh.core;
    requires com.fasterxml.jackson.databind;

}
