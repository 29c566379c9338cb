package dev.tern.api;

import dev.tern.api.event.Side;
import dev.tern.api.info.MigrationInfo;
import java.util.concurrent.CompletableFuture;

/**
 * One migration started through a {@link MigrationSession}: query it, cancel it, or wait for
 * it to end.
 */
public interface MigrationHandle {
    /**
     * Which side of the migration this handle follows.
     *
     * @return source for {@code migrate}, destination for {@code listen}
     */
    Side side();

    /**
     * QAPI {@code query-migrate} on the VM.
     *
     * @return the current info
     */
    MigrationInfo query();

    /** QAPI {@code migrate_cancel} (a source only; a destination ignores it, as QEMU does). */
    void cancel();

    /**
     * Completes with the final {@code query-migrate} result when the migration reaches
     * {@code completed}; completes exceptionally with a {@link MigrationException} carrying the
     * {@code error-desc} when it fails, or with {@link java.util.concurrent.CancellationException}
     * when it is cancelled.
     *
     * @return the completion
     */
    CompletableFuture<MigrationInfo> completion();
}
