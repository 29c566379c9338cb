package dev.tern.core.multifd.codec;

import dev.tern.api.MultiFdCompression;

/**
 * Makes the per-channel compressors and decompressors for {@code multifd-compression}
 * (spec 9.3). {@code none} has neither: its payload is the raw pages, sent and received by the
 * channel without a codec.
 */
public final class PacketCodecs {
    private PacketCodecs() {
    }

    /**
     * A compressor for one sending channel.
     *
     * @param method zlib or zstd
     * @param level {@code multifd-zlib-level} (0-9) or {@code multifd-zstd-level} (0-20), honoured
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     * @return a new compressor, owned by the caller
     * @throws IllegalArgumentException for {@code none}, a level out of range or a page size that is
     *     not a power of two from 512 to 64 KiB
     */
    public static PacketCompressor compressor(MultiFdCompression method, int level, int pageSize, int channel) {
        return switch (method) {
            case ZLIB -> new ZlibPacketCompressor(level, pageSize, channel);
            case ZSTD -> new ZstdPacketCompressor(level, pageSize, channel);
            case NONE -> throw new IllegalArgumentException("multifd-compression " + method.qapiName()
                    + " has no compressor");
        };
    }

    /**
     * A decompressor for one receiving channel.
     *
     * @param method zlib or zstd
     * @param pageSize the target page size
     * @param channel the channel id, for messages
     * @return a new decompressor, owned by the caller
     * @throws IllegalArgumentException for {@code none} or a page size that is not a power of two
     *     from 512 to 64 KiB
     */
    public static PacketDecompressor decompressor(MultiFdCompression method, int pageSize, int channel) {
        return switch (method) {
            case ZLIB -> new ZlibPacketDecompressor(pageSize, channel);
            case ZSTD -> new ZstdPacketDecompressor(pageSize, channel);
            case NONE -> throw new IllegalArgumentException("multifd-compression " + method.qapiName()
                    + " has no decompressor");
        };
    }
}
