package dev.tern.api;

import java.util.Map;
import java.util.Optional;

/**
 * An enumeration of multifd compression methods.
 *
 * QAPI enum {@code MultiFDCompression}, members in schema order (the ordinal is the QAPI wire
 * order).
 *
 * Since QEMU 5.0.
 */
public enum MultiFdCompression implements QapiEnum {
    /**
     * no compression.
     */
    NONE("none", false, null),

    /**
     * use zlib compression method.
     */
    ZLIB("zlib", false, null),

    /**
     * use zstd compression method.
     *
     * Conditional in QAPI on {@code CONFIG_ZSTD}.
     */
    ZSTD("zstd", false, "CONFIG_ZSTD");

    private static final Map<String, MultiFdCompression> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    MultiFdCompression(String qapiName, boolean unstable, String condition) {
        this.qapiName = qapiName;
        this.unstable = unstable;
        this.condition = condition;
    }

    @Override
    public String qapiName() {
        return qapiName;
    }

    @Override
    public boolean unstable() {
        return unstable;
    }

    @Override
    public Optional<String> condition() {
        return Optional.ofNullable(condition);
    }

    /**
     * Looks a member up by its QAPI name.
     *
     * @param qapiName the name as it appears on the wire, for example {@code "zstd"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static MultiFdCompression fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "MultiFDCompression");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
