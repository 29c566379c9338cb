package dev.tern.api;

/**
 * Thrown when a migration parameter is out of range or inconsistent (QEMU's {@code migrate_params_check}); messages follow QEMU's {@code Parameter '%s' expects %s}.
 *
 * <p>The static factories below hold the exact message texts; code elsewhere calls them rather
 * than building strings of its own. QEMU names the parameter in these messages with underscores
 * ({@code compress_level}, not {@code compress-level}); the factories do the same.
 */
public final class ParameterException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /** {@code error_prepend} text of every {@code block-bitmap-mapping} failure. */
    private static final String BITMAP_MAPPING_PREFIX = "Invalid mapping given for block-bitmap-mapping: ";

    /**
     * Creates the error with a {@link ErrorClass#GENERIC_ERROR} class.
     *
     * @param message the description
     */
    public ParameterException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }

    /** QEMU's {@code QERR_INVALID_PARAMETER_VALUE}: {@code Parameter '%s' expects %s}. */
    private static ParameterException expects(MigrationParameter parameter, String expectation) {
        return new ParameterException("Parameter '" + parameter.qapiName().replace('-', '_') + "' expects " + expectation);
    }

    /**
     * A parameter outside its range, in QEMU's "a value between" wording, for example
     * {@code Parameter 'compress_level' expects a value between 0 and 9}. Used for the
     * compression, multifd and announce parameters.
     *
     * @param parameter the parameter
     * @param min the lower bound the message names
     * @param max the upper bound the message names
     * @return the error
     */
    public static ParameterException outOfRange(MigrationParameter parameter, long min, long max) {
        return expects(parameter, "a value between " + min + " and " + max);
    }

    /**
     * A parameter outside its range, in QEMU's "an integer in the range" wording, for example
     * {@code Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99}. Used
     * for {@code throttle-trigger-threshold}, {@code cpu-throttle-initial} and
     * {@code cpu-throttle-increment}.
     *
     * @param parameter the parameter
     * @param min the lower bound the message names
     * @param max the upper bound the message names
     * @return the error
     */
    public static ParameterException outOfIntegerRange(MigrationParameter parameter, long min, long max) {
        return expects(parameter, "an integer in the range of " + min + " to " + max);
    }

    /**
     * {@code downtime-limit} above its maximum:
     * {@code Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 ms}.
     *
     * @param maxMillis the maximum the message names (QEMU's {@code MAX_MIGRATE_DOWNTIME})
     * @return the error
     */
    public static ParameterException downtimeLimitOutOfRange(long maxMillis) {
        return expects(MigrationParameter.DOWNTIME_LIMIT, "an integer in the range of 0 to " + maxMillis + " ms");
    }

    /**
     * {@code xbzrle-cache-size} smaller than a target page or not a power of two.
     *
     * @return the error
     */
    public static ParameterException xbzrleCacheSizeInvalid() {
        return expects(MigrationParameter.XBZRLE_CACHE_SIZE, "a power of two no less than the target page size");
    }

    /**
     * {@code max-cpu-throttle} below {@code cpu-throttle-initial} or above 99 (also raised when
     * only {@code cpu-throttle-initial} was moved above the current maximum).
     *
     * @return the error
     */
    public static ParameterException maxCpuThrottleOutOfRange() {
        return expects(MigrationParameter.MAX_CPU_THROTTLE, "an integer in the range of cpu_throttle_initial to 99");
    }

    /**
     * {@code zero-copy-send} is on and the parameters ask for multifd compression or TLS. The
     * text is the one the capability check uses.
     *
     * @return the error
     */
    public static ParameterException zeroCopyConflict() {
        return new ParameterException(CapabilityException.ZERO_COPY_REQUIREMENTS);
    }

    /**
     * A {@code block-bitmap-mapping} node alias that is not a well-formed QEMU id (an ASCII
     * letter, then letters, digits, {@code -}, {@code .} or {@code _}).
     *
     * @param alias the node alias
     * @return the error
     */
    public static ParameterException mappingNodeAliasNotWellFormed(String alias) {
        return mapping("The node alias '" + alias + "' is not well-formed");
    }

    /**
     * A {@code block-bitmap-mapping} node alias longer than the stream can carry.
     *
     * @param alias the node alias
     * @param maxBytes the limit the message names (255)
     * @return the error
     */
    public static ParameterException mappingNodeAliasTooLong(String alias, int maxBytes) {
        return mapping("The node alias '" + alias + "' is longer than " + maxBytes + " bytes");
    }

    /**
     * A {@code block-bitmap-mapping} node name longer than a block node name can be.
     *
     * @param nodeName the node name
     * @param maxBytes the limit the message names (31)
     * @return the error
     */
    public static ParameterException mappingNodeNameTooLong(String nodeName, int maxBytes) {
        return mapping("The node name '" + nodeName + "' is longer than " + maxBytes + " bytes");
    }

    /**
     * A node name listed twice in {@code block-bitmap-mapping}.
     *
     * @param nodeName the node name
     * @return the error
     */
    public static ParameterException mappingNodeNameMappedTwice(String nodeName) {
        return mapping("The node name '" + nodeName + "' is mapped twice");
    }

    /**
     * A node alias listed twice in {@code block-bitmap-mapping}.
     *
     * @param alias the node alias
     * @return the error
     */
    public static ParameterException mappingNodeAliasUsedTwice(String alias) {
        return mapping("The node alias '" + alias + "' is used twice");
    }

    /**
     * A {@code block-bitmap-mapping} bitmap alias longer than the stream can carry.
     *
     * @param alias the bitmap alias
     * @param maxBytes the limit the message names (255)
     * @return the error
     */
    public static ParameterException mappingBitmapAliasTooLong(String alias, int maxBytes) {
        return mapping("The bitmap alias '" + alias + "' is longer than " + maxBytes + " bytes");
    }

    /**
     * A {@code block-bitmap-mapping} bitmap name longer than a bitmap name can be.
     *
     * @param name the bitmap name
     * @param maxBytes the limit the message names (1023)
     * @return the error
     */
    public static ParameterException mappingBitmapNameTooLong(String name, int maxBytes) {
        return mapping("The bitmap name '" + name + "' is longer than " + maxBytes + " bytes");
    }

    /**
     * A bitmap name listed twice for one node in {@code block-bitmap-mapping}.
     *
     * @param nodeName the node's name
     * @param bitmapName the bitmap's name
     * @return the error
     */
    public static ParameterException mappingBitmapMappedTwice(String nodeName, String bitmapName) {
        return mapping("The bitmap '" + nodeName + "'/'" + bitmapName + "' is mapped twice");
    }

    /**
     * A bitmap alias listed twice for one node in {@code block-bitmap-mapping}.
     *
     * @param nodeAlias the node's alias
     * @param bitmapAlias the bitmap's alias
     * @return the error
     */
    public static ParameterException mappingBitmapAliasUsedTwice(String nodeAlias, String bitmapAlias) {
        return mapping("The bitmap alias '" + nodeAlias + "'/'" + bitmapAlias + "' is used twice");
    }

    private static ParameterException mapping(String reason) {
        return new ParameterException(BITMAP_MAPPING_PREFIX + reason);
    }
}
