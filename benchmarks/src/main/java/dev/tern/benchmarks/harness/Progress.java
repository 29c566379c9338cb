package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** A one-line summary of a {@code query-migrate} reply for the harness log. */
final class Progress {
    private Progress() {
    }

    /**
     * Formats a reply.
     *
     * @param elapsedMillis time since {@code migrate}
     * @param info the {@code return} of {@code query-migrate}
     * @return the line
     */
    static String line(long elapsedMillis, JsonNode info) {
        JsonNode ram = info.path("ram");
        String line = String.format(Locale.ROOT, "%6.1f s %-10s pass %3d  sent %8.1f MiB  remaining %8.1f MiB  %6.0f Mbps",
                elapsedMillis / 1000.0, info.path("status").asText(), ram.path("dirty-sync-count").asLong(),
                ram.path("transferred").asLong() / 1048576.0, ram.path("remaining").asLong() / 1048576.0,
                ram.path("mbps").asDouble());
        if (ram.has("dirty-pages-rate") && ram.path("dirty-pages-rate").asLong() > 0) {
            line += "  dirty " + ram.path("dirty-pages-rate").asLong() + " pages/s";
        }
        if (info.has("cpu-throttle-percentage")) {
            line += "  throttle " + info.path("cpu-throttle-percentage").asLong() + "%";
        }
        return line;
    }
}
