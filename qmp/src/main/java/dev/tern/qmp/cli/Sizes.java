package dev.tern.qmp.cli;

import java.util.Locale;

/** Byte sizes on the command line and in messages. */
final class Sizes {
    private Sizes() {
    }

    /**
     * Parses a size: a byte count with an optional binary suffix {@code K}, {@code M}, {@code G}
     * or {@code T} (case-insensitive), for example {@code 64M}.
     *
     * @param text the size
     * @return bytes
     * @throws IllegalArgumentException if the text is not a size or overflows
     */
    static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use bytes or a K/M/G/T suffix)");
        }
        if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return value << shift;
    }

    /**
     * Formats a size the short way, in the largest binary unit that divides it.
     *
     * @param bytes the size
     * @return for example {@code 64 MiB}
     */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + units[unit];
    }
}
