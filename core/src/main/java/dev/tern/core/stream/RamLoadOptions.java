package dev.tern.core.stream;

import java.util.Objects;
import java.util.Optional;

/**
 * How a destination reads RAM records: the settings that change what {@code ram_load_precopy}
 * accepts or reads.
 *
 * @param targetPageSize the target page size (4096 on x86)
 * @param hostPageSize the host page size (4096), used to align a resize and to decide whether a
 *     MEM_SIZE entry carries a page size
 * @param compress whether the {@code compress} capability is on locally (else COMPRESS_PAGE records are refused)
 * @param postcopyRamAdvised whether the source advised postcopy and postcopy-ram is on locally
 *     (MEM_SIZE entries of blocks with non-host page sizes then carry their page size)
 * @param ignoreShared whether {@code x-ignore-shared} is on (MEM_SIZE entries carry addresses;
 *     shared blocks take no pages)
 * @param decoder the decoder for compressed pages, if any; it also takes XBZRLE pages, which
 *     {@link RamRecordReader} otherwise decodes itself
 */
public record RamLoadOptions(int targetPageSize, long hostPageSize, boolean compress, boolean postcopyRamAdvised,
        boolean ignoreShared, Optional<RamPageDecoder> decoder) {
    /** Plain precopy with 4 KiB pages and no page decoder. */
    public static final RamLoadOptions PRECOPY = new RamLoadOptions(4096, 4096, false, false, false, Optional.empty());

    /** Checks the page sizes. */
    public RamLoadOptions {
        if (targetPageSize <= 0 || Integer.bitCount(targetPageSize) != 1) {
            throw new IllegalArgumentException("target page size " + targetPageSize + " is not a power of two");
        }
        if (hostPageSize <= 0 || Long.bitCount(hostPageSize) != 1) {
            throw new IllegalArgumentException("host page size " + hostPageSize + " is not a power of two");
        }
        Objects.requireNonNull(decoder, "decoder");
    }

    /**
     * This configuration with {@code compress} set.
     *
     * @param on whether {@code compress} is on
     * @return a copy with that setting
     */
    public RamLoadOptions withCompress(boolean on) {
        return new RamLoadOptions(targetPageSize, hostPageSize, on, postcopyRamAdvised, ignoreShared, decoder);
    }

    /**
     * This configuration with the postcopy advice set.
     *
     * @param on whether postcopy was advised with postcopy-ram on
     * @return a copy with that setting
     */
    public RamLoadOptions withPostcopyRamAdvised(boolean on) {
        return new RamLoadOptions(targetPageSize, hostPageSize, compress, on, ignoreShared, decoder);
    }

    /**
     * This configuration with {@code x-ignore-shared} set.
     *
     * @param on whether {@code x-ignore-shared} is on
     * @return a copy with that setting
     */
    public RamLoadOptions withIgnoreShared(boolean on) {
        return new RamLoadOptions(targetPageSize, hostPageSize, compress, postcopyRamAdvised, on, decoder);
    }

    /**
     * This configuration with a page decoder.
     *
     * @param d the page decoder
     * @return a copy with it
     */
    public RamLoadOptions withDecoder(RamPageDecoder d) {
        return new RamLoadOptions(targetPageSize, hostPageSize, compress, postcopyRamAdvised, ignoreShared,
                Optional.of(d));
    }
}
