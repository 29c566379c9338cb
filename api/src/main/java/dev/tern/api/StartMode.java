package dev.tern.api;

/** How a VM under Tern's control starts, as QEMU's command line would start it. */
public enum StartMode {
    /** The guest runs (QEMU without {@code -S}); runstate {@code running}. */
    RUNNING,
    /** The guest waits for {@code cont} (QEMU's {@code -S}); runstate {@code prelaunch}. */
    PAUSED,
    /**
     * The VM waits for an incoming migration started later with {@code migrate-incoming}
     * (QEMU's {@code -incoming defer}); runstate {@code inmigrate}.
     */
    INCOMING
}
