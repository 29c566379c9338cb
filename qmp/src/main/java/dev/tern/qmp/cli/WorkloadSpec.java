package dev.tern.qmp.cli;

import dev.tern.core.guest.Workload;
import java.util.Locale;

/**
 * The {@code --workload} option: what the reference guest's vCPUs do.
 *
 * <ul>
 * <li>{@code sweep}: QEMU's A-B guest over the whole first RAM block, as fast as vCPU 0 can;
 * <li>{@code random[:PAGES_PER_SECOND]}: writes to random pages of all RAM (0 or no rate: as fast
 *     as the vCPUs can);
 * <li>{@code hotset[:PAGES_PER_SECOND]}: 90% of the writes to the first 10% of the pages;
 * <li>{@code idle}: no writes.
 * </ul>
 *
 * @param kind the workload
 * @param pagesPerSecond the guest-wide write rate of {@code random} and {@code hotset}, 0 for
 *     unlimited; 0 for the others
 */
record WorkloadSpec(Kind kind, long pagesPerSecond) {
    /** The share of the guest's pages that {@code hotset} writes most. */
    static final double HOT_FRACTION = 0.1;
    /** The share of {@code hotset}'s writes that go to the hot pages. */
    static final double HOT_PROBABILITY = 0.9;

    /** The workloads the option names. */
    enum Kind {
        /** {@link Workload#sequentialSweep}. */
        SWEEP,
        /** {@link Workload#uniformRandom}. */
        RANDOM,
        /** {@link Workload#hotSet}. */
        HOTSET,
        /** {@link Workload#idle}. */
        IDLE;

        String optionName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The sweep, the default: it writes every page of the guest over and over. */
    static final WorkloadSpec SWEEP = new WorkloadSpec(Kind.SWEEP, 0);

    /**
     * Parses the option's value.
     *
     * @param text for example {@code sweep} or {@code random:20000}
     * @return the workload
     * @throws IllegalArgumentException if the text names no workload or the rate is not a
     *     number of at least 0
     */
    static WorkloadSpec parse(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        Kind kind = switch (name) {
            case "sweep" -> Kind.SWEEP;
            case "random" -> Kind.RANDOM;
            case "hotset" -> Kind.HOTSET;
            case "idle" -> Kind.IDLE;
            default -> throw invalid(text);
        };
        if (colon < 0) {
            return new WorkloadSpec(kind, 0);
        }
        if (kind == Kind.SWEEP || kind == Kind.IDLE) {
            throw new IllegalArgumentException("--workload " + name + " takes no rate, not '" + text + "'");
        }
        long rate;
        try {
            rate = Long.parseLong(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--workload " + name + ": not a page rate: '" + text.substring(colon + 1)
                    + "' (pages per second, 0 for unlimited)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--workload " + name + ": page rate " + rate + " is negative");
        }
        return new WorkloadSpec(kind, rate);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("--workload takes sweep, random[:PAGES_PER_SECOND], "
                + "hotset[:PAGES_PER_SECOND] or idle, not '" + text + "'");
    }

    /**
     * The guest's workload.
     *
     * @param firstBlockBytes the size of the first RAM block, which the sweep covers
     * @return the workload
     */
    Workload workload(long firstBlockBytes) {
        return switch (kind) {
            case SWEEP -> Workload.sequentialSweep(0, firstBlockBytes);
            case RANDOM -> Workload.uniformRandom(pagesPerSecond);
            case HOTSET -> Workload.hotSet(HOT_FRACTION, HOT_PROBABILITY, pagesPerSecond);
            case IDLE -> Workload.idle();
        };
    }

    /**
     * The option's value that parses back to this workload (for a second process).
     *
     * @return for example {@code random:20000}
     */
    String optionValue() {
        return switch (kind) {
            case SWEEP, IDLE -> kind.optionName();
            case RANDOM, HOTSET -> kind.optionName() + ":" + pagesPerSecond;
        };
    }

    /**
     * Says what the vCPUs do, for status lines.
     *
     * @return for example {@code random writes, 20000 pages/s}
     */
    String describe() {
        String rate = pagesPerSecond == 0 ? "unlimited" : pagesPerSecond + " pages/s";
        return switch (kind) {
            case SWEEP -> "sweep (A-B) over all RAM";
            case RANDOM -> "random writes, " + rate;
            case HOTSET -> "hot-set writes, " + rate;
            case IDLE -> "idle";
        };
    }
}
