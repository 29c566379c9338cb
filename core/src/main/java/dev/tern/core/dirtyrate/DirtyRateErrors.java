package dev.tern.core.dirtyrate;

import dev.tern.api.MigrationException;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;

/**
 * The errors of {@code calc-dirty-rate} and of the vCPU dirty limit, one factory per message.
 * Texts quoted from QEMU 7.2 ({@code migration/dirtyrate.c}, {@code softmmu/dirtylimit.c}) are
 * verbatim, typos included; the others name the guest facility Tern is missing.
 */
final class DirtyRateErrors {
    private DirtyRateErrors() {
    }

    static MigrationException alreadyMeasuring() {
        return MigrationException.generic("the dirty rate is already being measured.");
    }

    static MigrationException calcTimeOutOfRange() {
        return MigrationException.generic("calc-time is out of range[" + DirtyRateMeter.MIN_CALC_TIME_SEC + ", "
                + DirtyRateMeter.MAX_CALC_TIME_SEC + "].");
    }

    static MigrationException samplePagesWithDirtyRing() {
        return MigrationException.generic("either sample-pages or dirty-ring can be specified.");
    }

    static MigrationException samplePagesOutOfRange() {
        return MigrationException.generic("sample-pages is out of range[" + DirtyRateMeter.MIN_SAMPLE_PAGES + ", "
                + DirtyRateMeter.MAX_SAMPLE_PAGES + "].");
    }

    static MigrationException modeNotEnabled(DirtyRateMeasureMode mode) {
        return MigrationException.generic("mode " + mode.qapiName() + " is not enabled, use other method instead.");
    }

    /** Tern's own text: QEMU always has a dirty log, a Tern guest may not. */
    static MigrationException bitmapModeNeedsDirtyLog() {
        return MigrationException.generic(
                "calc-dirty-rate in dirty-bitmap mode needs DirtyLog, which this guest does not offer");
    }

    /** Tern's own text: the per-vCPU rates need the vCPU count, which only VcpuControl knows. */
    static MigrationException ringModeNeedsVcpuControl() {
        return MigrationException.generic(
                "calc-dirty-rate in dirty-ring mode needs VcpuControl to count the vCPUs, which this guest does not offer");
    }

    static MigrationException dirtyLimitNeedsDirtyRing() {
        // The stray quote at the end is QEMU's.
        return MigrationException.generic(
                "dirty page limit feature requires KVM with accelerator property 'dirty-ring-size' set'");
    }

    static MigrationException incorrectCpuIndex() {
        return MigrationException.generic("incorrect cpu index specified");
    }

    /** Tern's own text: QEMU validates against max_cpus, which only VcpuControl knows here. */
    static MigrationException dirtyLimitNeedsVcpuControl() {
        return MigrationException.generic(
                "dirty page limit needs VcpuControl to count the vCPUs, which this guest does not offer");
    }
}
