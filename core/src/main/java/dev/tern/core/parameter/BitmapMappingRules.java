package dev.tern.core.parameter;

import dev.tern.api.BitmapMigrationBitmapAlias;
import dev.tern.api.BitmapMigrationNodeAlias;
import dev.tern.api.ParameterException;
import dev.tern.core.vm.QemuId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validation of the {@code block-bitmap-mapping} parameter (QEMU's
 * {@code check_dirty_bitmap_mig_alias_map}).
 *
 * <p>QEMU validates by building the map twice, first name-to-alias (what the source sends), then
 * alias-to-name (what the destination receives), and stops at the first failure. Each pass walks
 * the whole list, so every failure of the first pass is reported before any duplicate alias the
 * second pass would find; this class keeps that order.
 */
public final class BitmapMappingRules {
    /** Node and bitmap aliases travel with a one-byte length ({@code UINT8_MAX}). */
    static final int MAX_ALIAS_BYTES = 255;
    /** A block node name fits a 32-byte buffer with its terminating NUL. */
    static final int MAX_NODE_NAME_BYTES = 31;
    /** QEMU's {@code BDRV_BITMAP_MAX_NAME_SIZE}. */
    static final int MAX_BITMAP_NAME_BYTES = 1023;

    private BitmapMappingRules() {
    }

    /**
     * Checks a {@code block-bitmap-mapping} value.
     *
     * @param mapping the node aliases, in the order given
     * @throws ParameterException with QEMU's message, prefixed
     *     {@code "Invalid mapping given for block-bitmap-mapping: "}, if the mapping is not a
     *     well-formed one-to-one map
     */
    public static void check(List<BitmapMigrationNodeAlias> mapping) {
        pass(mapping, true);
        pass(mapping, false);
    }

    private static void pass(List<BitmapMigrationNodeAlias> mapping, boolean nameToAlias) {
        Set<String> nodeKeys = new HashSet<>();
        for (BitmapMigrationNodeAlias node : mapping) {
            if (!QemuId.wellFormed(node.alias())) {
                throw ParameterException.mappingNodeAliasNotWellFormed(node.alias());
            }
            if (utf8Length(node.alias()) > MAX_ALIAS_BYTES) {
                throw ParameterException.mappingNodeAliasTooLong(node.alias(), MAX_ALIAS_BYTES);
            }
            if (utf8Length(node.nodeName()) > MAX_NODE_NAME_BYTES) {
                throw ParameterException.mappingNodeNameTooLong(node.nodeName(), MAX_NODE_NAME_BYTES);
            }
            if (nameToAlias && !nodeKeys.add(node.nodeName())) {
                throw ParameterException.mappingNodeNameMappedTwice(node.nodeName());
            }
            if (!nameToAlias && !nodeKeys.add(node.alias())) {
                throw ParameterException.mappingNodeAliasUsedTwice(node.alias());
            }
            Set<String> bitmapKeys = new HashSet<>();
            for (BitmapMigrationBitmapAlias bitmap : node.bitmaps()) {
                if (utf8Length(bitmap.alias()) > MAX_ALIAS_BYTES) {
                    throw ParameterException.mappingBitmapAliasTooLong(bitmap.alias(), MAX_ALIAS_BYTES);
                }
                if (utf8Length(bitmap.name()) > MAX_BITMAP_NAME_BYTES) {
                    throw ParameterException.mappingBitmapNameTooLong(bitmap.name(), MAX_BITMAP_NAME_BYTES);
                }
                if (nameToAlias && !bitmapKeys.add(bitmap.name())) {
                    throw ParameterException.mappingBitmapMappedTwice(node.nodeName(), bitmap.name());
                }
                if (!nameToAlias && !bitmapKeys.add(bitmap.alias())) {
                    throw ParameterException.mappingBitmapAliasUsedTwice(node.alias(), bitmap.alias());
                }
            }
        }
    }


    /** QEMU measures names with strlen, that is in bytes of their UTF-8 form. */
    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
