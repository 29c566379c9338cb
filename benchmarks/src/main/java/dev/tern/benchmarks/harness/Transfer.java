package dev.tern.benchmarks.harness;

import dev.tern.api.MultiFdCompression;
import java.util.Objects;

/**
 * How a scenario's pages travel: the plain socket, {@code multifd} with some channels and a
 * {@code multifd-compression}, or the legacy {@code compress} capability with some
 * {@code compress-threads}. Levels stay at QEMU's defaults ({@code multifd-zlib-level},
 * {@code multifd-zstd-level} and {@code compress-level} 1), and both ends of a migration get the
 * same settings.
 *
 * @param multifdChannels {@code multifd-channels}; 0 when the {@code multifd} capability is off
 * @param multifdCompression {@code multifd-compression} (only meaningful with multifd)
 * @param compressThreads {@code compress-threads}; 0 when the {@code compress} capability is off
 */
record Transfer(int multifdChannels, MultiFdCompression multifdCompression, int compressThreads) {

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException if a count is out of range or both capabilities are on
     *     (QEMU refuses {@code multifd} with {@code compress})
     */
    Transfer {
        Objects.requireNonNull(multifdCompression, "multifdCompression");
        if (multifdChannels < 0 || multifdChannels > 255 || compressThreads < 0 || compressThreads > 255) {
            throw new IllegalArgumentException("channels and threads are uint8: " + multifdChannels + ", "
                    + compressThreads);
        }
        if (multifdChannels > 0 && compressThreads > 0) {
            throw new IllegalArgumentException("multifd and compress cannot both be on");
        }
        if (multifdChannels == 0 && multifdCompression != MultiFdCompression.NONE) {
            throw new IllegalArgumentException("multifd-compression without multifd");
        }
    }

    /**
     * The plain socket: neither capability.
     *
     * @return the plain transfer
     */
    static Transfer plain() {
        return new Transfer(0, MultiFdCompression.NONE, 0);
    }

    /**
     * The {@code multifd} capability.
     *
     * @param channels {@code multifd-channels}, 1 to 255
     * @param compression {@code multifd-compression}
     * @return the transfer
     * @throws IllegalArgumentException if {@code channels} is out of range
     */
    static Transfer multifd(int channels, MultiFdCompression compression) {
        if (channels < 1) {
            throw new IllegalArgumentException("multifd needs at least one channel: " + channels);
        }
        return new Transfer(channels, compression, 0);
    }

    /**
     * The legacy {@code compress} capability.
     *
     * @param threads {@code compress-threads}, 1 to 255
     * @return the transfer
     * @throws IllegalArgumentException if {@code threads} is out of range
     */
    static Transfer compress(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("compress needs at least one thread: " + threads);
        }
        return new Transfer(0, MultiFdCompression.NONE, threads);
    }

    /**
     * Whether the {@code multifd} capability is on.
     *
     * @return true with multifd channels
     */
    boolean multifd() {
        return multifdChannels > 0;
    }

    /**
     * Whether the {@code compress} capability is on.
     *
     * @return true with compress threads
     */
    boolean compress() {
        return compressThreads > 0;
    }

    /**
     * The table's channels column.
     *
     * @return the multifd channel count, or {@code -} without multifd
     */
    String channelsColumn() {
        return multifd() ? Integer.toString(multifdChannels) : "-";
    }

    /**
     * The table's compression column.
     *
     * @return the {@code multifd-compression} with multifd (for example {@code zstd}),
     *     {@code compress/2t} with two compress threads, or {@code -} for the plain socket
     */
    String compressionColumn() {
        if (multifd()) {
            return multifdCompression.qapiName();
        }
        return compress() ? "compress/" + compressThreads + "t" : "-";
    }

    /**
     * Says how pages travel, for the log.
     *
     * @return for example {@code multifd, 4 channels, multifd-compression zstd}
     */
    String describe() {
        if (multifd()) {
            return "multifd, " + multifdChannels + (multifdChannels == 1 ? " channel" : " channels")
                    + ", multifd-compression " + multifdCompression.qapiName();
        }
        return compress() ? "compress, compress-threads " + compressThreads : "plain socket";
    }
}
