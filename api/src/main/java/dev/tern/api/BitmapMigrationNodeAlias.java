package dev.tern.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps a block node name and the bitmaps it has to aliases for dirty bitmap migration.
 *
 * QAPI struct {@code BitmapMigrationNodeAlias}. Optional members are {@code Optional}, {@code
 * OptionalLong}, {@code OptionalInt} or {@code OptionalDouble} components and are never {@code
 * null}; {@code size}, {@code uint64} and {@code uint32} members are held in a {@code long} as
 * unsigned values.
 *
 * Since QEMU 5.2.
 *
 * @param nodeName A block node name. (QAPI {@code node-name})
 * @param alias An alias block node name for migration (for example the node name on the opposite
 * site). (QAPI {@code alias})
 * @param bitmaps Mappings for the bitmaps on this node. (QAPI {@code bitmaps})
 */
public record BitmapMigrationNodeAlias(
        @Qapi(name = "node-name", type = "str") String nodeName,
        @Qapi(name = "alias", type = "str") String alias,
        @Qapi(name = "bitmaps", type = "[BitmapMigrationBitmapAlias]") List<BitmapMigrationBitmapAlias> bitmaps) {

    /** Checks required members and QAPI integer ranges. */
    public BitmapMigrationNodeAlias {
        Objects.requireNonNull(nodeName, "node-name");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(bitmaps, "bitmaps");
        bitmaps = List.copyOf(bitmaps);
    }
}
