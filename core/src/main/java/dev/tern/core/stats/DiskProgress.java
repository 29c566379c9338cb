package dev.tern.core.stats;

import dev.tern.api.info.MigrationStats;

/**
 * Block migration progress (the {@code block} capability), reported as {@code query-migrate}'s
 * {@code disk} while block migration is active (spec §4.5).
 *
 * @param transferred completed sectors × 512
 * @param total sum of the devices' sectors × 512
 */
public record DiskProgress(long transferred, long total) {

    /**
     * QEMU's {@code blk_mig_bytes_remaining}: total − transferred.
     *
     * @return bytes still to send
     */
    public long remaining() {
        return total - transferred;
    }

    /**
     * The QAPI {@code disk} member: a {@code MigrationStats} with {@code transferred},
     * {@code remaining} and {@code total} filled and every other member 0, as QEMU's
     * zero-allocated struct reports it.
     *
     * @return the statistics
     */
    public MigrationStats toStats() {
        return new MigrationStats(transferred, remaining(), total, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
