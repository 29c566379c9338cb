package dev.tern.qmp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * One human-readable line of a running migration, from the source's {@code query-migrate}
 * reply: the status, the pass (QAPI {@code ram.dirty-sync-count}), bytes sent
 * ({@code ram.transferred}) and left ({@code ram.remaining}), throughput ({@code ram.mbps}) and
 * {@code expected-downtime}. Members the reply lacks in its state are left out.
 */
final class ProgressLine {
    private static final double MIB = 1 << 20;

    private ProgressLine() {
    }

    /**
     * Formats a line.
     *
     * @param seconds time since the migration was started, for the first column
     * @param info the {@code return} of {@code query-migrate}
     * @return for example {@code 0.40 s  active     pass 2  sent 180.3 MiB  remaining 75.2 MiB  1650 Mbps  expected downtime 45 ms}
     */
    static String format(double seconds, JsonNode info) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%6.2f s  %-10s", seconds,
                info.path("status").asText("none")));
        JsonNode ram = info.path("ram");
        if (!ram.isMissingNode()) {
            line.append(String.format(Locale.ROOT, "  pass %d  sent %7.1f MiB  remaining %7.1f MiB  %5.0f Mbps",
                    ram.path("dirty-sync-count").asLong(), ram.path("transferred").asLong() / MIB,
                    ram.path("remaining").asLong() / MIB, ram.path("mbps").asDouble()));
        }
        if (info.has("expected-downtime")) {
            line.append("  expected downtime ").append(info.get("expected-downtime").asLong()).append(" ms");
        }
        if (info.has("cpu-throttle-percentage")) {
            line.append("  throttle ").append(info.get("cpu-throttle-percentage").asLong()).append('%');
        }
        return line.toString().stripTrailing();
    }
}
