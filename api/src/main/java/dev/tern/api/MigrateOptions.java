package dev.tern.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The optional arguments of QAPI command {@code migrate}.
 *
 * @param blk do block migration (QAPI {@code blk}); Tern has no old-style block migration and
 *     refuses it, as a QEMU built without it does
 * @param inc incremental block migration (QAPI {@code inc}); refused like {@code blk}
 * @param detach ignored, as in QEMU (QAPI {@code detach})
 * @param resume resume a paused postcopy migration (QAPI {@code resume})
 */
public record MigrateOptions(
        @Qapi(name = "blk", type = "bool") Optional<Boolean> blk,
        @Qapi(name = "inc", type = "bool") Optional<Boolean> inc,
        @Qapi(name = "detach", type = "bool") Optional<Boolean> detach,
        @Qapi(name = "resume", type = "bool") Optional<Boolean> resume) {

    /** No optional argument given. */
    public static final MigrateOptions NONE =
            new MigrateOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Checks that no member is null. */
    public MigrateOptions {
        Objects.requireNonNull(blk, "blk");
        Objects.requireNonNull(inc, "inc");
        Objects.requireNonNull(detach, "detach");
        Objects.requireNonNull(resume, "resume");
    }

    /**
     * Options that resume a paused postcopy migration ({@code resume: true}).
     *
     * @return the options
     */
    public static MigrateOptions resuming() {
        return new MigrateOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(true));
    }
}
