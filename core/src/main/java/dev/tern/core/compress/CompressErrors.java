package dev.tern.core.compress;

import dev.tern.core.stream.StreamFormatException;

/**
 * The failures of legacy {@code compress} (spec 9.1), with QEMU 7.2's texts.
 */
public final class CompressErrors {
    private CompressErrors() {
    }

    /**
     * "compressed data failed!": a compression thread could not deflate a page into its output
     * buffer ({@code do_compress_ram_page}); the migration fails.
     *
     * @return the exception
     */
    public static StreamFormatException compressedDataFailed() {
        return new StreamFormatException("compressed data failed!");
    }

    /**
     * "decompress data failed": a COMPRESS_PAGE record's zlib stream did not inflate to exactly
     * one page ending with the stream's end ({@code do_data_decompress} with
     * {@code decompress-error-check}, which Tern always applies); the load fails.
     *
     * @return the exception
     */
    public static StreamFormatException decompressDataFailed() {
        return new StreamFormatException("decompress data failed");
    }
}
